"""Load landing files into `raw`: one transaction per file, ledgered by content hash.

A file's rows either all land (valid rows upserted, invalid rows quarantined with their reason)
together with its ledger row, or nothing does: a crash mid-file leaves no trace, and the next run
loads the file again. The ledger's sha256 makes a re-delivered file, under any name, a no-op.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psycopg
from psycopg import sql

from failmap.ingest import readers
from failmap.ingest.contract import FileKind, kind_for_file_name
from failmap.ingest.validation import reason_expression, value_expression

Status = Literal["loaded", "rejected", "skipped"]
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp")


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
    sha256: str = ""

    def summary(self) -> str:
        if self.status == "skipped":
            return f"{self.file_name}: already loaded (same content), nothing to do"
        if self.status == "rejected":
            return f"{self.file_name}: REJECTED: {self.reason}"
        text = f"{self.file_name}: {self.rows_loaded:,} rows loaded"
        if self.rows_quarantined:
            text += f", {self.rows_quarantined:,} quarantined"
        if self.rows_superseded:
            text += f", {self.rows_superseded:,} replaced by later lines"
        return text


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def pending_files(inbox: Path) -> list[Path]:
    """Files in the inbox in delivery order (oldest first, so the latest file wins).

    Hidden files and files still being written (`.tmp`, `.part`, ...) are left alone.
    """
    if not inbox.is_dir():
        return []
    files = [
        path
        for path in inbox.iterdir()
        if path.is_file()
        and not path.name.startswith(".")
        and not path.name.lower().endswith(IGNORED_SUFFIXES)
    ]
    return sorted(files, key=lambda path: (path.stat().st_mtime_ns, path.name))


def _lock_and_find(cur: psycopg.Cursor, sha256: str) -> bool:
    """Serialize loaders of the same content; True when the content is already ledgered."""
    cur.execute("select pg_advisory_xact_lock(hashtextextended(%s, 0))", (sha256,))
    cur.execute("select 1 from raw.ingested_files where sha256 = %s", (sha256,))
    return cur.fetchone() is not None


def _record_rejection(
    conn: psycopg.Connection,
    path: Path,
    sha256: str,
    size: int,
    kind: str | None,
    fmt: str | None,
    reason: str,
    started: float,
) -> FileOutcome:
    with conn.transaction(), conn.cursor() as cur:
        if _lock_and_find(cur, sha256):
            return FileOutcome(path.name, "skipped", kind=kind, sha256=sha256)
        cur.execute(
            "insert into raw.ingested_files "
            "(file_name, file_kind, file_format, sha256, size_bytes, status, reason, duration_ms) "
            "values (%s, %s, %s, %s, %s, 'rejected', %s, %s)",
            (path.name, kind, fmt, sha256, size, reason, _elapsed_ms(started)),
        )
    return FileOutcome(path.name, "rejected", kind=kind, reason=reason, sha256=sha256)


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _fill_incoming(cur: psycopg.Cursor, path: Path, kind: FileKind, fmt: str) -> str:
    """Stream the file into `incoming`; returns the SQL expression of a row's line number."""
    if fmt == "csv":
        header = readers.read_csv_header(path, kind)
        readers.create_incoming_table(cur, kind, [c for c in header if c not in kind.column_names])
        readers.copy_csv(cur, path, header)
        return "record_number + 1"
    if fmt == "parquet":
        header = readers.parquet_header(path, kind)
        readers.create_incoming_table(cur, kind, [c for c in header if c not in kind.column_names])
        readers.copy_parquet(cur, path, header)
        return "record_number"
    readers.create_incoming_table(cur, kind, [])
    readers.copy_jsonl(cur, path, kind)
    return "record_number"


def _validate_and_store(
    cur: psycopg.Cursor, kind: FileKind, file_id: int, file_name: str, line_expr: str
) -> tuple[int, int, int, int]:
    """Quarantine invalid rows and upsert valid ones; returns (in file, loaded, superseded,
    quarantined)."""
    cur.execute("select count(*) from incoming")
    rows_in_file = _scalar(cur)
    # Only the (few) invalid rows are materialized; valid rows go straight from `incoming`.
    cur.execute(
        sql.SQL(
            "create temporary table rejected on commit drop as "
            "select record_number, reason from (select record_number, "
            "case when _unparsed is not null then 'line is not a JSON object' "
            "else {reason} end as reason from incoming) as checked where reason <> ''"
        ).format(reason=reason_expression(kind))
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
    quarantined = cur.rowcount
    loaded = _upsert_valid_rows(cur, kind, file_id, line_expr)
    superseded = rows_in_file - quarantined - loaded
    return rows_in_file, loaded, superseded, quarantined


def _scalar(cur: psycopg.Cursor) -> int:
    row = cur.fetchone()
    assert row is not None
    return int(row[0])


def _upsert_valid_rows(cur: psycopg.Cursor, kind: FileKind, file_id: int, line_expr: str) -> int:
    """Upsert the valid rows by key (latest wins); returns how many distinct keys landed.

    Files rarely repeat an id, so the plain upsert is tried first inside a savepoint; only when
    PostgreSQL refuses to touch a row twice is it redone keeping each id's last line.
    """
    typed = sql.SQL(", ").join(
        sql.SQL("{} as {}").format(value_expression(c), sql.Identifier(c.name))
        for c in kind.columns
    )
    names = sql.SQL(", ").join(sql.Identifier(n) for n in kind.column_names)
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = excluded.{0}").format(sql.Identifier(n))
        for n in (*kind.column_names, "file_id", "source_line", "loaded_at")
        if n != kind.key
    )
    valid = sql.SQL(
        "select {line} as source_line, {typed} from incoming where _unparsed is null "
        "and not exists (select from rejected where rejected.record_number = "
        "incoming.record_number)"
    ).format(line=sql.SQL(line_expr), typed=typed)
    upsert = sql.SQL(
        "insert into raw.{table} ({names}, file_id, source_line, loaded_at) "
        "select {names}, %(file_id)s, source_line, now() from ({rows}) as valid "
        "on conflict ({key}) do update set {updates}"
    )

    def statement(rows: sql.Composable) -> sql.Composed:
        return upsert.format(
            table=sql.Identifier(kind.table),
            names=names,
            rows=rows,
            key=sql.Identifier(kind.key),
            updates=updates,
        )

    try:
        with cur.connection.transaction():
            cur.execute(statement(valid), {"file_id": file_id})
        return cur.rowcount
    except psycopg.errors.CardinalityViolation:
        pass
    latest = sql.SQL(
        "select distinct on ({key}) * from ({valid}) as valid order by {key}, source_line desc"
    ).format(key=sql.Identifier(kind.key), valid=valid)
    cur.execute(statement(latest), {"file_id": file_id})
    return cur.rowcount


def load_file(conn: psycopg.Connection, path: Path) -> FileOutcome:
    """Load one landing file atomically; never raises for bad content (it is rejected)."""
    started = time.perf_counter()
    sha256 = file_sha256(path)
    size = path.stat().st_size
    kind = kind_for_file_name(path.name)
    fmt = readers.file_format(path)
    kind_name = kind.name if kind else None
    if kind is None:
        reason = "file name must start with quality_scores or runs to say what it holds"
        return _record_rejection(conn, path, sha256, size, None, fmt, reason, started)
    if fmt is None:
        reason = (
            f"unsupported file type {path.suffix or '(no suffix)'!r}: "
            "use .csv, .jsonl (JSON Lines) or .parquet"
        )
        return _record_rejection(conn, path, sha256, size, kind_name, None, reason, started)
    try:
        with conn.transaction(), conn.cursor() as cur:
            if _lock_and_find(cur, sha256):
                return FileOutcome(path.name, "skipped", kind=kind_name, sha256=sha256)
            line_expr = _fill_incoming(cur, path, kind, fmt)
            cur.execute(
                "insert into raw.ingested_files "
                "(file_name, file_kind, file_format, sha256, size_bytes, status) "
                "values (%s, %s, %s, %s, %s, 'loaded') returning file_id",
                (path.name, kind.name, fmt, sha256, size),
            )
            row = cur.fetchone()
            assert row is not None
            file_id = int(row[0])
            in_file, loaded, superseded, quarantined = _validate_and_store(
                cur, kind, file_id, path.name, line_expr
            )
            cur.execute(
                "update raw.ingested_files set rows_in_file = %s, rows_loaded = %s, "
                "rows_superseded = %s, rows_quarantined = %s, duration_ms = %s "
                "where file_id = %s",
                (in_file, loaded, superseded, quarantined, _elapsed_ms(started), file_id),
            )
    except readers.FileRejected as rejection:
        return _record_rejection(conn, path, sha256, size, kind_name, fmt, str(rejection), started)
    return FileOutcome(
        path.name,
        "loaded",
        kind=kind_name,
        rows_in_file=in_file,
        rows_loaded=loaded,
        rows_superseded=superseded,
        rows_quarantined=quarantined,
        sha256=sha256,
    )


def load_files(
    conn: psycopg.Connection,
    paths: list[Path],
    progress: Callable[[int, int, FileOutcome], None] | None = None,
) -> list[FileOutcome]:
    """Load the files in order, each in its own transaction; reports each outcome as it lands."""
    outcomes = []
    for index, path in enumerate(paths, start=1):
        outcome = load_file(conn, path)
        outcomes.append(outcome)
        if progress is not None:
            progress(index, len(paths), outcome)
    return outcomes
