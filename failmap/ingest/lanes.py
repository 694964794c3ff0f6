"""Two connections ("lanes") that load consecutive inbox files at once, in file order.

Loading a file is two parts of server work: reading it into the session's own temporary
tables (COPY into `incoming`, hashing the bytes on the way, then its valid rows validated and
cast into `valid_rows`), which touches nothing shared, then the ledger and `raw` writes
(insert or upsert, quarantine), which must follow the file before it. One backend doing both,
file after file, keeps one of the machine's cores busy; with two lanes, file i+1 is read and
validated on one connection while file i stores on the other.

File i runs on lane i % 2, in its own transaction as before. Before its first ledger read that
decides anything and its first write, it waits its turn (`Turns.wait`): until every earlier
file has committed, been rolled back, skipped or rejected. Under READ COMMITTED each statement
sees what committed before it started, so the latest file still wins a repeated key and content
seen before is still skipped, exactly as when the files load one after the other. Outcomes are
reported in file order.

An unexpected error in file k stops the load as the one-lane loop would: files before k stay
committed, file k and every later file roll back (a later file fails its turn instead of taking
it), both threads end and the second connection is closed before the error is raised again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import psycopg

Item = TypeVar("Item")
Result = TypeVar("Result")
LANES = 2


class Stopped(Exception):
    """An earlier file failed (or the caller gave up): this one must not take its turn."""


class Turns:
    """The order in which files may touch shared tables: file i after files 0..i-1 finished."""

    def __init__(self, count: int) -> None:
        self._finished = [threading.Event() for _ in range(count)]
        self.stopped = False

    def wait(self, index: int) -> None:
        """Return once every file before `index` has finished; raise Stopped if one failed."""
        if index > 0:
            self._finished[index - 1].wait()
        if self.stopped:
            raise Stopped

    def finish(self, index: int, failed: bool) -> None:
        """Mark file `index` finished, once the files before it are (a file that failed early,
        in its COPY, leaves the earlier files their commit)."""
        if index > 0:
            self._finished[index - 1].wait()
        if failed:
            self.stopped = True
        self._finished[index].set()

    def wait_finished(self, index: int) -> None:
        self._finished[index].wait()

    def stop(self) -> None:
        """No file that has not taken its turn yet will take it."""
        self.stopped = True


def run_in_lanes(
    first: psycopg.Connection,
    connect: Callable[[], psycopg.Connection],
    items: list[Item],
    work: Callable[[psycopg.Connection, Item, Callable[[], None]], Result],
    report: Callable[[int, Result], None],
) -> list[Result]:
    """`work(connection, item, wait_turn)` for each item, two at a time; the results in order.

    Lane 0 uses `first`, lane 1 a connection from `connect`, closed at the end. `work` must call
    `wait_turn` before it reads or writes anything an earlier item may change (calling it again
    returns at once). `report(index, result)` is called in item order, from the calling thread,
    as soon as an item and all before it have finished. The first item that raised (in order)
    raises here, after both lanes have ended.
    """
    turns = Turns(len(items))
    results: dict[int, Result] = {}
    errors: dict[int, BaseException] = {}

    def lane(number: int) -> None:
        conn = first if number == 0 else None
        try:
            for index in range(number, len(items), LANES):
                try:
                    if turns.stopped:
                        raise Stopped
                    if conn is None:
                        conn = connect()
                    results[index] = work(conn, items[index], partial(turns.wait, index))
                    failed = False
                except BaseException as error:  # handed to the calling thread, raised there
                    errors[index] = error
                    failed = True
                turns.finish(index, failed)
        finally:
            if number != 0 and conn is not None:
                conn.close()

    threads = [
        threading.Thread(target=lane, args=(number,), name=f"failmap-lane-{number}")
        for number in range(LANES)
    ]
    for thread in threads:
        thread.start()
    done: list[Result] = []
    try:
        for index in range(len(items)):
            turns.wait_finished(index)
            if index in errors:
                raise errors[index]
            done.append(results[index])
            report(index, results[index])
    except BaseException:
        turns.stop()
        raise
    finally:
        for thread in threads:
            thread.join()
    return done
