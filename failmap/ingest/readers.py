"""Readers that stream one landing file into a temporary table of text columns.

Values stay text until validation (validation.py) so that a bad value quarantines its row instead
of failing the file. CSV bytes go straight to PostgreSQL's COPY; JSON Lines are copied as whole
lines and unpacked in SQL; Parquet is converted to CSV one record batch at a time. No Python code
runs per row.

Every reader takes a `FileSource`: the file's bytes are read once, and the bytes hashed for the
ledger are the bytes parsed, so a file rewritten while it loads cannot be ledgered under the hash
of other content. CSV and JSON Lines stream (memory stays bounded whatever the file size);
Parquet needs random access, so its bytes are held in memory while it loads.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import psycopg
from psycopg import sql

from failmap.ingest.contract import FileKind

COPY_CHUNK_BYTES = 1 << 20
HEADER_MAX_BYTES = 1 << 16
PARQUET_BATCH_ROWS = 200_000
SUPPORTED_SUFFIXES = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


class FileRejected(Exception):
    """The file as a whole cannot be read; nothing from it may load."""


class FileSource:
    """The bytes of one landing file, read once: each byte handed on is hashed as it passes."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._digest.update(data)
        self.size += len(data)
        return data

    def chunks(self) -> Iterator[bytes]:
        while chunk := self.read(COPY_CHUNK_BYTES):
            yield chunk

    def finish(self) -> str:
        """The sha256 of the whole file as read (the rest is read when a reader stopped early)."""
        for _ in self.chunks():
            pass
        return self._digest.hexdigest()


def open_landing_file(path: Path) -> BinaryIO:
    """Open a landing file for reading without following a symbolic link (OSError if it is one)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    return os.fdopen(descriptor, "rb")


def file_format(path: Path) -> str | None:
    """`csv`, `jsonl` or `parquet` from the file's suffix, None when unsupported."""
    return SUPPORTED_SUFFIXES.get(path.suffix.lower())


def create_incoming_table(cur: psycopg.Cursor, kind: FileKind, extra: list[str]) -> None:
    """A temporary table with every contract column (plus the file's extra columns) as text.

    `line_number` is filled by COPY order: the n-th data row is line n + 1 for CSV (line 1 is
    the header), line n for JSON Lines, row n for Parquet.
    """
    columns = [*kind.column_names, *extra, "_unparsed"]
    # A cached identity: one sequence round per 10,000 rows instead of one per row.
    cur.execute(
        sql.SQL(
            "create temporary table incoming ("
            "record_number bigint generated always as identity (cache 10000), {}) on commit drop"
        ).format(sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in columns))
    )


def _normalized_header(names: list[str]) -> list[str]:
    header = [name.strip().lstrip("\ufeff").strip().lower() for name in names]
    header = [name or f"column_{index}" for index, name in enumerate(header, start=1)]
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise FileRejected(f"header repeats column(s) {', '.join(duplicates)}")
    return header


def _check_required(kind: FileKind, header: list[str]) -> None:
    missing = [name for name in kind.required_names if name not in header]
    if missing:
        raise FileRejected(
            f"header lacks required column(s) {', '.join(missing)} for a {kind.name} file "
            f"(found: {', '.join(header[:12]) or 'nothing'})"
        )


def read_csv_header(head: bytes, kind: FileKind) -> list[str]:
    """The normalized column names of a CSV starting with `head`; rejects non-UTF-8, empty and
    wrong headers."""
    end = head.find(b"\n", 0, HEADER_MAX_BYTES)
    first = head[: end + 1] if end >= 0 else head[:HEADER_MAX_BYTES]
    if not first.strip():
        raise FileRejected("file is empty: expected a header row")
    try:
        text = codecs.decode(first, "utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRejected(
            f"header is not UTF-8 text (byte 0x{first[error.start]:02x} at offset {error.start}); "
            "is this a binary file?"
        ) from None
    if "\x00" in text:
        raise FileRejected("header contains NUL bytes; is this a binary file?")
    header = _normalized_header(next(csv.reader([text])))
    _check_required(kind, header)
    return header


def _copy_error(error: psycopg.Error, what: str) -> FileRejected:
    context = (error.diag.context or "").strip().splitlines()
    where = ""
    if context and ", line " in context[0]:
        where = "line " + context[0].split(", line ", 1)[1].split(":", 1)[0].split(",", 1)[0] + ": "
    message = (error.diag.message_primary or str(error)).strip()
    return FileRejected(f"{where}{message} (the {what} is malformed or truncated)")


def copy_csv(cur: psycopg.Cursor, source: FileSource, header: list[str], head: bytes) -> int:
    """Stream the CSV's bytes (`head`, already read, then the rest) into `incoming` with COPY
    (the header row is skipped); returns the number of data rows."""
    statement = sql.SQL("copy incoming ({}) from stdin (format csv, header true)").format(
        sql.SQL(", ").join(sql.Identifier(name) for name in header)
    )
    try:
        with cur.copy(statement) as copy:
            copy.write(head)
            for chunk in source.chunks():
                copy.write(chunk)
    except psycopg.DataError as error:
        raise _copy_error(error, "CSV file") from None
    return max(cur.rowcount, 0)


def copy_jsonl(cur: psycopg.Cursor, source: FileSource, kind: FileKind) -> int:
    """Copy each line verbatim, then unpack the JSON objects into `incoming` in SQL; returns the
    number of rows (non-blank lines).

    The CSV dialect with control characters as quote and delimiter makes COPY take each line
    literally; JSON cannot contain raw control characters, so no valid line is altered.
    """
    cur.execute(
        "create temporary table incoming_lines ("
        "record_number bigint generated always as identity, line text) on commit drop"
    )
    try:
        with (
            cur.copy(
                "copy incoming_lines (line) from stdin "
                "(format csv, delimiter e'\\x02', quote e'\\x01', escape e'\\x01')"
            ) as copy,
        ):
            for chunk in source.chunks():
                copy.write(chunk)
    except psycopg.DataError as error:
        raise _copy_error(error, "JSON Lines file") from None
    # Lines that are not JSON objects keep their text under `_unparsed` so the quarantine can
    # show them; blank lines are no rows at all.
    names = kind.column_names
    cur.execute(
        sql.SQL(
            "insert into incoming (record_number, _unparsed, {columns}) overriding system value "
            "select record_number, "
            "case when parsed is null then line end, {values} "
            "from (select record_number, line, case when pg_input_is_valid(line, 'jsonb') "
            "and jsonb_typeof(line::jsonb) = 'object' then line::jsonb end as parsed "
            "from incoming_lines where btrim(line) <> '') as lines"
        ).format(
            columns=sql.SQL(", ").join(sql.Identifier(n) for n in names),
            values=sql.SQL(", ").join(
                sql.SQL("parsed ->> {}").format(sql.Literal(n)) for n in names
            ),
        )
    )
    rows = max(cur.rowcount, 0)
    if rows == 0:
        return 0
    cur.execute("select count(*) from incoming where _unparsed is null")
    row = cur.fetchone()
    if row is not None and row[0] == 0:
        raise FileRejected("no line is a JSON object; is this a JSON Lines file?")
    return rows


def parquet_header(data: bytes, kind: FileKind) -> list[str]:
    """The Parquet file's column names; rejects files that are not Parquet or lack columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(pa.BufferReader(data))
    except Exception as error:  # pyarrow raises several types for unreadable files
        raise FileRejected(f"not a readable Parquet file: {error}") from None
    header = _normalized_header(list(schema.names))
    _check_required(kind, header)
    return header


def _parquet_csv_chunks(data: bytes) -> Iterator[bytes]:
    import json

    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(pa.BufferReader(data))
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
        columns = []
        for field, column in zip(batch.schema, batch.columns, strict=True):
            if pa.types.is_nested(field.type):
                # Nested values (e.g. phase_errors as a struct) become JSON text.
                column = pa.array(
                    [None if v is None else json.dumps(v) for v in column.to_pylist()],
                    pa.string(),
                )
            elif pa.types.is_timestamp(field.type) and field.type.tz is None:
                # A naive timestamp has no offset: pass it on as text so the contract rule
                # (offset required) quarantines it rather than guessing a zone.
                column = column.cast(pa.string())
            elif pa.types.is_timestamp(field.type):
                column = pa.compute.strftime(column, format="%Y-%m-%dT%H:%M:%S%z")
            else:
                column = column.cast(pa.string())
            columns.append(column)
        buffer = io.BytesIO()
        table = pa.Table.from_arrays(columns, names=batch.schema.names)
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
        yield buffer.getvalue()


def copy_parquet(cur: psycopg.Cursor, data: bytes, header: list[str]) -> int:
    """Convert record batches to CSV and COPY them into `incoming`; returns the number of rows."""
    statement = sql.SQL("copy incoming ({}) from stdin (format csv)").format(
        sql.SQL(", ").join(sql.Identifier(name) for name in header)
    )
    try:
        with cur.copy(statement) as copy:
            for chunk in _parquet_csv_chunks(data):
                copy.write(chunk)
    except psycopg.DataError as error:
        raise _copy_error(error, "Parquet file") from None
    except OSError as error:
        raise FileRejected(f"Parquet file could not be read: {error}") from None
    return max(cur.rowcount, 0)
