"""One refresh at a time per database: a PostgreSQL advisory lock held for the whole refresh.

`failmap refresh` (and `failmap up`'s first refresh) run the refresh job in their own process,
outside Dagster's run queue; the inbox sensor's runs and the nightly schedule run in Dagster's.
Two at once would collide on dbt's relations (both swap the same marts). Every run takes this
lock before its first step (`FailmapResource.yield_for_execution`) and keeps it until its last
has finished; a second one waits, saying for which. The lock belongs to a connection of its own,
so a refresh that dies (killed, or the database restarted) releases it with its session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg

from failmap import database

# pg_advisory_lock(int, int): its own key space, apart from the bigint keys of the ingest's
# per-file locks and the migrations' lock.
LOCK_KEY = (0x666D6170, 1)  # "fmap", refresh
APPLICATION_PREFIX = "failmap refresh"

HOLDER_SQL = """
select activity.application_name
from pg_locks as locks
inner join pg_stat_activity as activity on locks.pid = activity.pid
where
    locks.locktype = 'advisory'
    and locks.granted
    and locks.database = (select oid from pg_database where datname = current_database())
    and locks.classid = %s
    and locks.objid = %s
    and locks.objsubid = 2
"""


def lock_label(run_id: str = "", started: datetime | None = None) -> str:
    """How a holder shows in pg_stat_activity: when it started and which run it is."""
    when = (started or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S UTC")
    run = f" run {run_id[:8]}" if run_id else ""
    return f"{APPLICATION_PREFIX} started at {when}{run}"[:63]


def holder(conn: psycopg.Connection) -> str | None:
    """The label of the refresh holding the lock (None when none, or it cannot be seen)."""
    row = conn.execute(HOLDER_SQL, LOCK_KEY).fetchone()
    return str(row[0]) if row and row[0] else None


def waiting_message(label: str | None) -> str:
    if label and label.startswith(f"{APPLICATION_PREFIX} started at "):
        return f"waiting for the {label.removeprefix('failmap ')} to finish (one refresh at a time)"
    return "waiting for another refresh of this database to finish (one refresh at a time)"


@contextmanager
def refresh_lock(
    url: str, *, run_id: str = "", log: Callable[[str], None] = print
) -> Iterator[None]:
    """Hold the refresh lock of the database at `url` for the block; wait (and say so) first."""
    label = lock_label(run_id)
    conn = database.connect(url, autocommit=True, application_name=label)
    try:
        locked = conn.execute("select pg_try_advisory_lock(%s, %s)", LOCK_KEY).fetchone()
        if not (locked and locked[0]):
            log(waiting_message(holder(conn)))
            conn.execute("select pg_advisory_lock(%s, %s)", LOCK_KEY)
            log("the other refresh has finished: this one starts")
        yield
    finally:
        conn.close()  # ends the session, which releases the lock
