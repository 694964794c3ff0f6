"""File sinks for CSV, JSON Lines and Parquet that append Arrow tables batch by batch.

All three hold the same rows. Text formats write timestamps as ISO 8601 with offset
(`2026-09-24T13:05:12+00:00`) and booleans as `true`/`false`; missing values are empty in CSV
and `null` in JSON Lines. JSON Lines embeds `phase_errors` and `context` as JSON objects;
CSV and Parquet carry them as JSON text. Parquet keeps native types (timestamps in UTC).
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from failmap.demo.text import cat, json_string

FILE_FORMATS: dict[str, str] = {"csv": "csv", "jsonl": "jsonl", "parquet": "parquet"}
ISO_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"  # all demo timestamps are UTC


class Sink(Protocol):
    """Appends tables of one schema to one file."""

    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


def open_sink(
    path: Path, schema: pa.Schema, file_format: str, json_columns: frozenset[str]
) -> Sink:
    """A sink writing `file_format` to `path`."""
    if file_format == "csv":
        return _CsvSink(path, schema)
    if file_format == "jsonl":
        return _JsonLinesSink(path, schema, json_columns)
    if file_format == "parquet":
        return _ParquetSink(path, schema)
    raise ValueError(f"unknown file format {file_format!r}: use one of {sorted(FILE_FORMATS)}")


def _with_text_timestamps(table: pa.Table) -> pa.Table:
    columns = [
        pc.strftime(column, format=ISO_FORMAT) if pa.types.is_timestamp(column.type) else column
        for column in table.columns
    ]
    return pa.table(columns, names=table.column_names)


class _CsvSink:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        text_schema = pa.schema(
            [pa.field(f.name, pa.string()) if pa.types.is_timestamp(f.type) else f for f in schema]
        )
        self._file: BinaryIO = path.open("wb")
        self._writer = pa_csv.CSVWriter(
            self._file, text_schema, write_options=pa_csv.WriteOptions(quoting_style="needed")
        )

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(_with_text_timestamps(table))

    def close(self) -> None:
        self._writer.close()
        self._file.close()


class _JsonLinesSink:
    def __init__(self, path: Path, schema: pa.Schema, json_columns: frozenset[str]) -> None:
        self._file: BinaryIO = path.open("wb")
        self._schema = schema
        self._json_columns = json_columns

    def write(self, table: pa.Table) -> None:
        parts: list[pa.Array | str] = ["{"]
        for i, name in enumerate(table.column_names):
            column = table.column(name).combine_chunks()
            separator = "" if i == 0 else ", "
            parts += [f'{separator}"{name}": ', self._json_value(name, column)]
        parts.append("}\n")
        lines = cat(*parts)
        if len(lines):
            self._file.write(_string_payload(lines))

    def _json_value(self, name: str, column: pa.Array) -> pa.Array:
        kind = column.type
        if name in self._json_columns:
            return pc.fill_null(column, "null")
        if pa.types.is_timestamp(kind):
            return json_string(pc.strftime(column, format=ISO_FORMAT))
        if pa.types.is_string(kind):
            return json_string(column)
        if pa.types.is_boolean(kind):
            text = pc.if_else(column, pa.scalar("true"), pa.scalar("false"))
            return pc.fill_null(text, "null")
        return pc.fill_null(pc.cast(column, pa.string()), "null")

    def close(self) -> None:
        self._file.close()


def _string_payload(lines: pa.Array) -> memoryview:
    """The concatenated bytes of a null-free string array, read straight from its buffer."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return memoryview(lines.buffers()[2])[first:last]


class _ParquetSink:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._schema = pa.schema(
            [
                pa.field(f.name, pa.timestamp("ms", tz="UTC"))
                if pa.types.is_timestamp(f.type)
                else f
                for f in schema
            ]
        )
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table.cast(self._schema))

    def close(self) -> None:
        self._writer.close()
