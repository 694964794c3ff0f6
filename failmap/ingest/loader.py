"""Load landing files into `raw`: one transaction per file, ledgered by content hash.

A file's rows either all land (valid rows upserted, invalid rows quarantined with their reason)
together with its ledger row, or nothing does: a crash mid-file leaves no trace, and the next run
loads the file again. The ledger's sha256 makes a re-delivered file, under any name, a no-op.

The hash in the ledger is that of the bytes loaded (read once, hashed as they stream to COPY).
The ledger also keeps where the file was read and its modification time: a file whose path,
size and modification time (ns) all match a ledgered row is skipped without being read (each
refresh used to hash every inbox file to find it). A file changed or touched since is hashed as
before, and its new stat recorded when its content turns out to be ledgered already.
A file rejected for its name alone (`scores.csv`, `quality_scores.txt`) is ledgered so people
see it, but does not count as seen: renamed, the same content loads. Symbolic links in the inbox
are never followed.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psycopg
from psycopg import sql

from failmap.ingest import lanes, readers
from failmap.ingest.contract import FileKind, kind_for_file_name
from failmap.ingest.validation import (
    reason_expression,
    trimmed_values,
    valid_condition,
    value_expression,
)

logger = logging.getLogger(__name__)

Status = Literal["loaded", "rejected", "skipped"]
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp")
# A load that adds more than this share of a raw table's rows refreshes its statistics
# (autovacuum's own default threshold for an analyze, done at once instead of minutes later).
ANALYZE_GROWTH = 0.1


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one inbox file (`skipped`: its content was loaded before)."""

    file_name: str
    status: Status
    kind: str | None = None
    reason: str | None = None
    rows_in_file: int = 0
    rows_loaded: int = 0
    rows_superseded: int = 0
    rows_quarantined: int = 0
    rows_replaced: int = 0
    sha256: str = ""

    def summary(self) -> str:
        if self.status == "skipped" and self.reason:
            return f"{self.file_name}: seen before ({self.reason}), nothing to do"
        if self.status == "skipped":
            return f"{self.file_name}: already loaded (same content), nothing to do"
        if self.status == "rejected":
            return f"{self.file_name}: REJECTED: {self.reason}"
        text = f"{self.file_name}: {self.rows_loaded:,} rows loaded"
        if self.rows_quarantined:
            text += f", {self.rows_quarantined:,} quarantined"
        if self.rows_superseded:
            text += f", {self.rows_superseded:,} replaced by later lines"
        if self.rows_replaced:
            text += f", {self.rows_replaced:,} replacing rows of earlier files"
        return text


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with readers.open_landing_file(path) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


SYMLINK_REASON = "is a symbolic link: links in the inbox are never followed; move the file itself"


def pending_files(inbox: Path, log: Callable[[str], None] | None = None) -> list[Path]:
    """Files in the inbox in delivery order (oldest first, so the latest file wins).

    Hidden files and files still being written (`.tmp`, `.part`, ...) are left alone. Symbolic
    links are ignored (a link could make failmap read any file its user can); `log`, when given,
    is told about each one.
    """
    if not inbox.is_dir():
        return []
    files = []
    for path in inbox.iterdir():
        if path.name.startswith(".") or path.name.lower().endswith(IGNORED_SUFFIXES):
            continue
        if path.is_symlink():
            if log is not None:
                log(f"{path.name}: ignored, {SYMLINK_REASON}")
            continue
        if path.is_file():
            files.append(path)
    return sorted(files, key=lambda path: (path.stat().st_mtime_ns, path.name))


# A ledger row counts as "seen" (loading the same content again is a no-op) unless the file was
# rejected for its name alone: only then are its kind or its format unknown.
SEEN = "(status = 'loaded' or (file_kind is not null and file_format is not null))"


# A file modified less than this before failmap started reading it gets no recorded stat, so it
# is hashed again next time: file systems stamp modification times from a coarse clock (a few
# ms), and a rewrite of the same size within one tick would otherwise look unchanged. (Git's
# "racily clean" index entries, for the same reason.)
SETTLED_NS = 2_000_000_000


@dataclass(frozen=True)
class FileStat:
    """Where a file is, its size and modification time, taken before it is read."""

    path: str
    size: int
    mtime_ns: int
    settled: bool

    @classmethod
    def of(cls, path: Path) -> FileStat:
        stat = path.lstat()
        return cls(
            path=str(path.absolute()),
            size=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
            settled=time.time_ns() - stat.st_mtime_ns >= SETTLED_NS,
        )

    @property
    def recorded(self) -> tuple[str | None, int | None]:
        """(inbox_path, mtime_ns) as the ledger stores them: nothing for an unsettled file."""
        return (self.path, self.mtime_ns) if self.settled else (None, None)


def _unchanged_since_ledgered(cur: psycopg.Cursor, stat: FileStat) -> str | None:
    """The hash of the seen ledger row this file is unchanged from (path, size, mtime), if any."""
    cur.execute(
        f"select sha256 from raw.ingested_files where inbox_path = %s and size_bytes = %s "  # noqa: S608
        f"and mtime_ns = %s and {SEEN}",
        (stat.path, stat.size, stat.mtime_ns),
    )
    row = cur.fetchone()
    return None if row is None else str(row[0])


def unchanged_since_ledgered(conn: psycopg.Connection, paths: list[Path]) -> set[Path]:
    """The files whose content the ledger counts as seen, known by path, size and mtime alone."""
    stats = {path: FileStat.of(path) for path in paths}
    rows = conn.execute(
        f"select inbox_path, size_bytes, mtime_ns from raw.ingested_files "  # noqa: S608
        f"where inbox_path = any(%s) and {SEEN}",
        [[stat.path for stat in stats.values()]],
    ).fetchall()
    known = set(rows)
    return {path for path, stat in stats.items() if (stat.path, stat.size, stat.mtime_ns) in known}


def _record_stat(cur: psycopg.Cursor, sha256: str, stat: FileStat) -> None:
    """Remember where this content was just read and its stat (a touched file, moved inbox)."""
    if stat.settled:
        cur.execute(
            "update raw.ingested_files set inbox_path = %s, mtime_ns = %s where sha256 = %s",
            (stat.path, stat.mtime_ns, sha256),
        )


def _ledger_entry(cur: psycopg.Cursor, sha256: str) -> Literal["seen", "name", None]:
    """`seen` when the content was loaded or rejected for its content, `name` when it was only
    rejected for its file name, None when the ledger does not know it."""
    cur.execute(f"select {SEEN} from raw.ingested_files where sha256 = %s", (sha256,))  # noqa: S608
    row = cur.fetchone()
    if row is None:
        return None
    return "seen" if row[0] else "name"


def _lock_and_find(cur: psycopg.Cursor, sha256: str) -> Literal["seen", "name", None]:
    """Serialize loaders of the same content; then what the ledger knows of it."""
    cur.execute("select pg_advisory_xact_lock(hashtextextended(%s, 0))", (sha256,))
    return _ledger_entry(cur, sha256)


def _record_rejection(
    conn: psycopg.Connection,
    path: Path,
    sha256: str,
    size: int,
    kind: str | None,
    fmt: str | None,
    reason: str,
    started: float,
    stat: FileStat,
) -> FileOutcome:
    with conn.transaction(), conn.cursor() as cur:
        entry = _lock_and_find(cur, sha256)
        if entry == "seen":
            return FileOutcome(path.name, "skipped", kind=kind, sha256=sha256)
        if entry == "name":
            if kind is None or fmt is None:
                return FileOutcome(path.name, "skipped", kind=kind, reason=reason, sha256=sha256)
            cur.execute("delete from raw.ingested_files where sha256 = %s", (sha256,))
        cur.execute(
            "insert into raw.ingested_files (file_name, file_kind, file_format, sha256, "
            "size_bytes, status, reason, duration_ms, inbox_path, mtime_ns) "
            "values (%s, %s, %s, %s, %s, 'rejected', %s, %s, %s, %s)",
            (path.name, kind, fmt, sha256, size, reason, _elapsed_ms(started), *stat.recorded),
        )
    return FileOutcome(path.name, "rejected", kind=kind, reason=reason, sha256=sha256)


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _fill_incoming(
    cur: psycopg.Cursor, source: readers.FileSource, kind: FileKind, fmt: str
) -> tuple[int, str]:
    """Stream the file into `incoming`; returns its row count and the SQL expression of a row's
    line number."""
    if fmt == "csv":
        head = source.read(readers.COPY_CHUNK_BYTES)
        header = readers.read_csv_header(head, kind)
        readers.create_incoming_table(cur, kind, [c for c in header if c not in kind.column_names])
        return readers.copy_csv(cur, source, header, head), "record_number + 1"
    if fmt == "parquet":
        data = source.read()
        header = readers.parquet_header(data, kind)
        readers.create_incoming_table(cur, kind, [c for c in header if c not in kind.column_names])
        return readers.copy_parquet(cur, data, header), "record_number"
    readers.create_incoming_table(cur, kind, [])
    return readers.copy_jsonl(cur, source, kind), "record_number"


def _trimmed(kind: FileKind) -> sql.Composable:
    """`incoming` with each value trimmed once; `offset 0` keeps PostgreSQL from inlining the
    trims into every rule that reads them."""
    return sql.SQL(
        "(select record_number, _unparsed, {values} from incoming offset 0) as trimmed"
    ).format(values=trimmed_values(kind))


def _valid_rows(kind: FileKind, line_expr: str) -> sql.Composable:
    """The rows that break no rule, cast to their types, with their source line."""
    typed = sql.SQL(", ").join(
        sql.SQL("{} as {}").format(value_expression(c), sql.Identifier(c.name))
        for c in kind.columns
    )
    return sql.SQL(
        "select {line} as source_line, {typed} from {trimmed} where _unparsed is null and {valid}"
    ).format(
        line=sql.SQL(line_expr), typed=typed, trimmed=_trimmed(kind), valid=valid_condition(kind)
    )


def _quarantine_rows(
    cur: psycopg.Cursor, kind: FileKind, file_id: int, file_name: str, line_expr: str
) -> int:
    """Quarantine every row that breaks a rule, verbatim, with each broken rule in words."""
    cur.execute(
        sql.SQL(
            "create temporary table rejected on commit drop as "
            "select record_number, reason from (select record_number, "
            "case when _unparsed is not null then 'line is not a JSON object' "
            "else {reason} end as reason from {trimmed}) as checked where reason <> ''"
        ).format(reason=reason_expression(kind), trimmed=_trimmed(kind))
    )
    cur.execute(
        sql.SQL(
            "insert into raw.quarantine (file_id, file_name, line_number, raw_row, reason) "
            "select %s, %s, {line}, "
            "case when incoming._unparsed is not null then to_jsonb(incoming._unparsed) "
            "else jsonb_strip_nulls(to_jsonb(incoming) - 'record_number' - '_unparsed') end, "
            "rejected.reason "
            "from rejected join incoming using (record_number) order by record_number"
        ).format(line=sql.SQL(line_expr)),
        (file_id, file_name),
    )
    return cur.rowcount


def _validate_and_store(
    cur: psycopg.Cursor,
    kind: FileKind,
    file_id: int,
    file_name: str,
    line_expr: str,
    rows_in_file: int,
    valid: sql.Composable,
) -> tuple[int, int, int, int]:
    """Store valid rows and quarantine invalid ones; returns (loaded, superseded, quarantined,
    replaced): `replaced` of the loaded rows took the place of a row an earlier file loaded.
    `valid` is the query of the valid rows (`_valid_rows`, or a table made from it).

    Most files bring only new ids and no bad rows: their valid rows go in with a plain insert,
    and the rules are asked once per row. A file that repeats an id, of its own or of an earlier
    file, makes that insert fail; it is then redone as an upsert (latest wins). Reasons are
    worked out only when some row was left out.
    """
    loaded = _insert_new_rows(cur, kind, file_id, valid)
    replaced = 0
    if loaded is None:
        quarantined = _quarantine_rows(cur, kind, file_id, file_name, line_expr)
        replaced = _count_stored_ids(cur, kind, valid)
        loaded = _upsert_valid_rows(cur, kind, file_id, valid)
    elif loaded < rows_in_file:
        quarantined = _quarantine_rows(cur, kind, file_id, file_name, line_expr)
    else:
        quarantined = 0
    return loaded, rows_in_file - quarantined - loaded, quarantined, replaced


def _count_stored_ids(cur: psycopg.Cursor, kind: FileKind, valid: sql.Composable) -> int:
    """How many distinct ids of the file's valid rows are in raw already (from earlier files).

    Asked only on the upsert path, before the upsert: the ledger keeps it (`rows_replaced`), so
    the segment model learns from the ledger whether a re-delivery may have moved a check to
    another segment instead of counting every check of the history at each build.
    """
    cur.execute(
        sql.SQL(
            "select count(*) from raw.{table} where {key} in (select {key} from ({valid}) as valid)"
        ).format(
            table=sql.Identifier(kind.table),
            key=sql.Identifier(kind.key),
            valid=valid,
        )
    )
    row = cur.fetchone()
    assert row is not None
    return int(row[0])


def _insert_statement(
    kind: FileKind, rows: sql.Composable, on_conflict: sql.Composable
) -> sql.Composed:
    names = sql.SQL(", ").join(sql.Identifier(n) for n in kind.column_names)
    return sql.SQL(
        "insert into raw.{table} ({names}, file_id, source_line, loaded_at) "
        "select {names}, %(file_id)s, source_line, now() from ({rows}) as valid {on_conflict}"
    ).format(table=sql.Identifier(kind.table), names=names, rows=rows, on_conflict=on_conflict)


def _insert_new_rows(
    cur: psycopg.Cursor, kind: FileKind, file_id: int, valid: sql.Composable
) -> int | None:
    """Insert the valid rows when none of their ids is in the table or repeated; else None."""
    try:
        with cur.connection.transaction():
            cur.execute(
                _insert_statement(kind, valid, sql.SQL("")),
                {"file_id": file_id},
            )
        return cur.rowcount
    except psycopg.errors.UniqueViolation:
        return None


def _upsert_valid_rows(
    cur: psycopg.Cursor, kind: FileKind, file_id: int, valid: sql.Composable
) -> int:
    """Upsert the valid rows by key (latest wins); returns how many distinct keys landed.

    The plain upsert is tried first inside a savepoint; only when PostgreSQL refuses to touch a
    row twice (the file repeats an id) is it redone keeping each id's last line.
    """
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = excluded.{0}").format(sql.Identifier(n))
        for n in (*kind.column_names, "file_id", "source_line", "loaded_at")
        if n != kind.key
    )
    on_conflict = sql.SQL("on conflict ({key}) do update set {updates}").format(
        key=sql.Identifier(kind.key), updates=updates
    )
    try:
        with cur.connection.transaction():
            cur.execute(_insert_statement(kind, valid, on_conflict), {"file_id": file_id})
        return cur.rowcount
    except psycopg.errors.CardinalityViolation:
        pass
    latest = sql.SQL(
        "select distinct on ({key}) * from ({valid}) as valid order by {key}, source_line desc"
    ).format(key=sql.Identifier(kind.key), valid=valid)
    cur.execute(_insert_statement(kind, latest, on_conflict), {"file_id": file_id})
    return cur.rowcount


class _SeenBefore(Exception):
    """The bytes just read are ledgered already (raised to roll the load back)."""


def _no_wait() -> None:
    """The turn of a file loaded on its own: nothing to wait for."""


def load_file(
    conn: psycopg.Connection, path: Path, wait_turn: Callable[[], None] | None = None
) -> FileOutcome:
    """Load one landing file atomically; never raises for bad content (it is rejected).

    `wait_turn`, given by two lanes (lanes.py), is called before the first ledger read that
    decides the outcome and before the first write; until then only the file and the
    session's own temporary tables are touched: one file is read, validated and cast while the
    file before it stores.
    """
    take_turn = wait_turn or _no_wait
    started = time.perf_counter()
    if path.is_symlink():
        logger.warning("%s: not loaded, %s", path.name, SYMLINK_REASON)
        return FileOutcome(path.name, "rejected", reason=SYMLINK_REASON)
    kind = kind_for_file_name(path.name)
    fmt = readers.file_format(path)
    kind_name = kind.name if kind else None
    # Before any read: a change after this moves the modification time, so it never matches.
    stat = FileStat.of(path)
    if kind is None or fmt is None:
        if kind is None:
            reason = "file name must start with quality_scores or runs to say what it holds"
        else:
            reason = (
                f"unsupported file type {path.suffix or '(no suffix)'!r}: "
                "use .csv, .jsonl (JSON Lines) or .parquet"
            )
        with readers.open_landing_file(path) as handle:
            source = readers.FileSource(handle)
            sha256 = source.finish()
        take_turn()
        return _record_rejection(
            conn, path, sha256, source.size, kind_name, fmt, reason, started, stat
        )
    # Content seen before is skipped without loading it: unread when the file is as it was when
    # ledgered, else one read to hash it, no COPY.
    with conn.transaction(), conn.cursor() as cur:
        unchanged = _unchanged_since_ledgered(cur, stat)
        if unchanged is not None:
            return FileOutcome(path.name, "skipped", kind=kind_name, sha256=unchanged)
        earlier = file_sha256(path)
        # Seen content stays seen (only rows rejected for their name are ever deleted): no
        # need to wait for that answer, only for the write.
        if _ledger_entry(cur, earlier) == "seen":
            take_turn()
            _record_stat(cur, earlier, stat)
            return FileOutcome(path.name, "skipped", kind=kind_name, sha256=earlier)
    with readers.open_landing_file(path) as handle:
        source = readers.FileSource(handle)
        try:
            return _load_content(conn, path, source, kind, fmt, started, stat, wait_turn)
        except readers.FileRejected as rejection:
            sha256 = source.finish()
            take_turn()
            return _record_rejection(
                conn, path, sha256, source.size, kind_name, fmt, str(rejection), started, stat
            )
        except _SeenBefore:
            # Ledgered since the check above (by the file before it, or another loader): note
            # where it was read, as that check would have.
            sha256 = source.finish()
            with conn.transaction(), conn.cursor() as cur:
                _record_stat(cur, sha256, stat)
            return FileOutcome(path.name, "skipped", kind=kind_name, sha256=sha256)


def _load_content(
    conn: psycopg.Connection,
    path: Path,
    source: readers.FileSource,
    kind: FileKind,
    fmt: str,
    started: float,
    stat: FileStat,
    wait_turn: Callable[[], None] | None,
) -> FileOutcome:
    """Load the file's bytes (read once from `source`) in one transaction, ledgered by their
    hash; raises FileRejected for an unreadable file, _SeenBefore for content ledgered since.

    With a turn to wait for (two lanes), the valid rows are validated and cast into a temporary
    table first: that and filling `incoming` touch nothing shared, so they overlap the previous
    file's inserts, and only the inserts wait. Loaded alone, a file's rows go from `incoming`
    to raw in one statement (no copy in between)."""
    with conn.transaction(), conn.cursor() as cur:
        # ISO output lets the common timestamp shape be proven valid cheaply (validation.py).
        cur.execute("set local datestyle = 'ISO, YMD'")
        in_file, line_expr = _fill_incoming(cur, source, kind, fmt)
        sha256 = source.finish()
        valid = _valid_rows(kind, line_expr)
        if wait_turn is not None:
            cur.execute(
                sql.SQL("create temporary table valid_rows on commit drop as {}").format(valid)
            )
            valid = sql.SQL("select * from valid_rows")
            wait_turn()
        entry = _lock_and_find(cur, sha256)
        if entry == "seen":
            raise _SeenBefore
        if entry == "name":
            # Ledgered when it arrived under a name that said nothing; now it can load.
            cur.execute("delete from raw.ingested_files where sha256 = %s", (sha256,))
        cur.execute(
            "insert into raw.ingested_files (file_name, file_kind, file_format, sha256, "
            "size_bytes, status, inbox_path, mtime_ns) "
            "values (%s, %s, %s, %s, %s, 'loaded', %s, %s) returning file_id",
            (path.name, kind.name, fmt, sha256, source.size, *stat.recorded),
        )
        row = cur.fetchone()
        assert row is not None
        file_id = int(row[0])
        loaded, superseded, quarantined, replaced = _validate_and_store(
            cur, kind, file_id, path.name, line_expr, in_file, valid
        )
        cur.execute(
            "update raw.ingested_files set rows_in_file = %s, rows_loaded = %s, "
            "rows_superseded = %s, rows_quarantined = %s, rows_replaced = %s, duration_ms = %s "
            "where file_id = %s",
            (in_file, loaded, superseded, quarantined, replaced, _elapsed_ms(started), file_id),
        )
    return FileOutcome(
        path.name,
        "loaded",
        kind=kind.name,
        rows_in_file=in_file,
        rows_loaded=loaded,
        rows_superseded=superseded,
        rows_quarantined=quarantined,
        rows_replaced=replaced,
        sha256=sha256,
    )


def load_files(
    conn: psycopg.Connection,
    paths: list[Path],
    progress: Callable[[int, int, FileOutcome], None] | None = None,
    connect: Callable[[], psycopg.Connection] | None = None,
) -> list[FileOutcome]:
    """Load the files in order, each in its own transaction; reports each outcome as it lands.

    Given `connect` (a factory of a second connection) and two or more files to read, two
    files load at once (lanes.py): one is read, validated and cast while the other stores,
    committed and reported in file order, with the same result as one after the other. Files
    unchanged since they were ledgered need no read, so they open no second connection.

    Then refreshes the planner's statistics of a raw table the files grew by more than
    `ANALYZE_GROWTH` (`analyze_grown_tables`), and summarizes the block ranges the files added
    to its BRIN indexes (`summarize_new_block_ranges`).
    """

    def report(index: int, outcome: FileOutcome) -> None:
        if progress is not None:
            progress(index + 1, len(paths), outcome)

    if connect is not None and _files_to_read(conn, paths) >= lanes.LANES:
        outcomes = lanes.run_in_lanes(conn, connect, paths, load_file, report)
    else:
        outcomes = []
        for index, path in enumerate(paths):
            outcomes.append(load_file(conn, path))
            report(index, outcomes[-1])
    analyze_grown_tables(conn, outcomes)
    summarize_new_block_ranges(conn, outcomes)
    return outcomes


def _files_to_read(conn: psycopg.Connection, paths: list[Path]) -> int:
    """How many of the files the ledger does not know unchanged (all, when one cannot be
    stat'ed: `load_file` reports that one in its turn)."""
    if len(paths) < lanes.LANES:
        return len(paths)
    try:
        with conn.transaction():
            return len(paths) - len(unchanged_since_ledgered(conn, paths))
    except OSError:
        return len(paths)


def analyze_grown_tables(conn: psycopg.Connection, outcomes: list[FileOutcome]) -> list[str]:
    """`analyze` each raw table these loads grew by more than `ANALYZE_GROWTH` of its rows (or
    that has no column statistics yet); the tables analyzed.

    The checks and models that run right after a load plan their reads of the whole history
    from these statistics: without them PostgreSQL assumes a third of the rows match any range
    (`evaluated_at` after the clock, the latest day, the rows loaded since the last build) and
    reads all 5M rows instead of the index (3 s of the raw checks after a first load of 5.1M
    rows, before autovacuum's own analyze, which may come minutes later). A new day's few
    rows leave the statistics as they are: no analyze, no cost.
    """
    loaded: dict[str, int] = {}
    for outcome in outcomes:
        kind = kind_for_file_name(outcome.file_name) if outcome.rows_loaded else None
        if kind is not None:
            loaded[kind.table] = loaded.get(kind.table, 0) + outcome.rows_loaded
    analyzed = []
    for table, rows in sorted(loaded.items()):
        with conn.transaction():
            # reltuples alone is no proof of an analyze: a vacuum sets it too, without the
            # column statistics (pg_stats) the planner needs.
            estimated = conn.execute(
                "select reltuples, exists (select from pg_stats"
                " where schemaname = 'raw' and tablename = %s) from pg_class"
                " where oid = %s::regclass",
                [table, f"raw.{table}"],
            ).fetchone()
            if (
                estimated is None
                or not estimated[1]
                or estimated[0] < 0
                or rows > ANALYZE_GROWTH * estimated[0]
            ):
                conn.execute(sql.SQL("analyze {}").format(sql.Identifier("raw", table)))
                analyzed.append(table)
    return analyzed


def summarize_new_block_ranges(conn: psycopg.Connection, outcomes: list[FileOutcome]) -> list[str]:
    """Summarize the block ranges these loads added to the BRIN indexes of the raw tables they
    loaded rows into; the indexes summarized.

    A BRIN index leaves new block ranges unsummarized until a vacuum summarizes them, and an
    unsummarized range matches every query. The segment model reads the checks loaded since its
    last build through `raw.quality_scores (loaded_at)`'s BRIN: after a year's first load
    (30.7M rows) no range was summarized yet, so a new day's build read the whole table through
    the index (10.7 s instead of 0.05 s). Summarizing reads only the new ranges: a new day's few
    pages, or the whole table once after a first load (12 s at a year, 2 s at 5.1M rows). Left to
    autovacuum when this login may not maintain the table (a warning; nothing fails).
    """
    tables = sorted(
        {
            f"raw.{kind.table}"
            for outcome in outcomes
            if outcome.rows_loaded and (kind := kind_for_file_name(outcome.file_name)) is not None
        }
    )
    if not tables:
        return []
    with conn.transaction():
        indexes = conn.execute(
            "select index.indexrelid::regclass::text from pg_catalog.pg_index as index"
            " join pg_catalog.pg_class as class on class.oid = index.indexrelid"
            " join pg_catalog.pg_am as method on method.oid = class.relam"
            " where method.amname = 'brin' and index.indrelid = any(%s::regclass[])"
            " order by 1",
            [tables],
        ).fetchall()
    summarized = []
    for (index,) in indexes:
        try:
            with conn.transaction():
                conn.execute("select brin_summarize_new_values(%s::regclass)", [index])
            summarized.append(index)
        except psycopg.errors.InsufficientPrivilege as error:
            logger.warning("%s: block ranges left to autovacuum (%s)", index, error)
    return summarized
