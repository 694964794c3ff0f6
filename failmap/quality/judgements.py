"""Files judged once at arrival, and the warnings people acknowledge.

A delivered file whose rows mostly broke the contract is quarantined row by row; the rest of the
data is unaffected, so such a file must not stop the marts. It is judged once, by the first
refresh after it arrived (`judge_new_files`, run by the check on its raw table), and the verdict
is kept in `app.file_judgements`. A warning stays open, shown on the Data quality page, in the
refresh summary and as a metric, until a person acknowledges it (`acknowledge_warning`: from the
dashboard or `failmap quality ack`). It never blocks a refresh, and a later refresh does not judge
the file again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from failmap.connections import DatabaseSource, open_connection
from failmap.quality.suites import MAX_QUARANTINED_SHARE

QUARANTINE_RULE = "quarantined_share_per_file"
JUDGE_SQL = (Path(__file__).parent / "judge_files.sql").read_text(encoding="utf-8")
MAX_NAME = 200
MAX_NOTE = 2000


class WarningNotFound(LookupError):
    """No open warning with that id (never raised, or acknowledged already)."""


@dataclass(frozen=True)
class FileWarning:
    """One open or acknowledged warning about one delivered file."""

    file_id: int
    rule: str
    file_name: str
    file_kind: str
    rows_in_file: int
    rows_quarantined: int
    max_quarantined_share: float
    judged_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledgement_note: str | None = None

    @property
    def text(self) -> str:
        share = self.rows_quarantined / self.rows_in_file if self.rows_in_file else 0.0
        return (
            f"{self.file_name}: {self.rows_quarantined:,} of {self.rows_in_file:,} rows "
            f"quarantined ({share:.0%}, more than {self.max_quarantined_share:.0%})"
        )


def judge_new_files(source: DatabaseSource, file_kind: str) -> list[tuple[str, bool]]:
    """Judge every loaded `file_kind` file not judged yet; (file name, is warning) of each."""
    with open_connection(source) as conn, conn.transaction():
        return [
            (str(name), bool(warning))
            for name, warning in conn.execute(
                JUDGE_SQL,  # type: ignore[arg-type]
                {
                    "rule": QUARANTINE_RULE,
                    "max_share": MAX_QUARANTINED_SHARE,
                    "file_kind": file_kind,
                },
            ).fetchall()
        ]


# The columns of FileWarning, in its order.
_SELECT_WARNING = (
    "select file_id, rule, file_name, file_kind, rows_in_file, rows_quarantined, "
    "max_quarantined_share, judged_at, acknowledged_at, acknowledged_by, acknowledgement_note "
    "from app.file_judgements where is_warning "
)


def file_warnings(
    source: DatabaseSource, *, include_acknowledged: bool = False
) -> list[FileWarning]:
    """Warnings about delivered files, oldest first; only open ones unless asked otherwise."""
    with open_connection(source) as conn:
        rows = conn.execute(
            _SELECT_WARNING + "and (%(all)s or acknowledged_at is null) "
            "order by judged_at, file_id",
            {"all": include_acknowledged},
        ).fetchall()
    return [FileWarning(*row) for row in rows]


def acknowledge_warning(
    source: DatabaseSource, file_id: int, acknowledged_by: str, note: str = ""
) -> FileWarning:
    """Mark the open warning about file `file_id` as seen by `acknowledged_by`; returns it."""
    who = acknowledged_by.strip()
    if not 1 <= len(who) <= MAX_NAME:
        raise ValueError(f"say who acknowledges the warning (1 to {MAX_NAME} characters)")
    if len(note) > MAX_NOTE:
        raise ValueError(f"the note is {len(note):,} characters long; at most {MAX_NOTE:,}")
    with open_connection(source) as conn, conn.transaction():
        updated = conn.execute(
            "update app.file_judgements set acknowledged_at = now(), acknowledged_by = %s, "
            "acknowledgement_note = nullif(%s, '') "
            "where file_id = %s and is_warning and acknowledged_at is null",
            [who, note, file_id],
        ).rowcount
        row = conn.execute(_SELECT_WARNING + "and file_id = %s", [file_id]).fetchone()
    if not updated or row is None:
        raise WarningNotFound(f"no open warning about file {file_id}")
    return FileWarning(*row)
