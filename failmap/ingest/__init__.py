"""Ingestion of landing files into the `raw` schema (contract-checked, atomic per file)."""

from failmap.ingest.contract import FILE_KINDS, QUALITY_SCORES, RUNS, FileKind, kind_for_file_name
from failmap.ingest.loader import FileOutcome, load_file, load_files, pending_files

__all__ = [
    "FILE_KINDS",
    "QUALITY_SCORES",
    "RUNS",
    "FileKind",
    "FileOutcome",
    "kind_for_file_name",
    "load_file",
    "load_files",
    "pending_files",
]
