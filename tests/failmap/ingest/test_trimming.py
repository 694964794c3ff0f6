"""Values are trimmed exactly as `nullif(btrim(value), '')`: surrounding spaces go, an empty or
all-space value is missing, other whitespace stays. The loader proves most values need no
trim by cheaper tests than `btrim` (validation.trimmed_values); these pin that shortcut to the
plain expression, in the real database, and through a loaded file."""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg import sql

from failmap.ingest import QUALITY_SCORES, load_file
from failmap.ingest.validation import trimmed_values
from tests.failmap.ingest.conftest import score_row, write_csv

VALUES = [
    "w01",
    " w01",
    "w01 ",
    "  w01  ",
    "w 01",
    "",
    " ",
    "   ",
    "\tw01",
    "w01\t",
    " \tw01\t ",
    "%",
    " % ",
    "_",
    None,
]


def test_trimmed_values_equal_nullif_btrim(conn: psycopg.Connection) -> None:
    names = sql.SQL(", ").join(sql.Identifier(name) for name in QUALITY_SCORES.column_names)
    conn.execute(
        sql.SQL("create temporary table incoming ({})").format(
            sql.SQL(", ").join(
                sql.SQL("{} text").format(sql.Identifier(name))
                for name in QUALITY_SCORES.column_names
            )
        )
    )
    with conn.cursor() as cur:
        cur.executemany(
            sql.SQL("insert into incoming (workflow) values (%s)"), [(v,) for v in VALUES]
        )
    rows = conn.execute(
        sql.SQL(
            "select incoming.workflow, trimmed.workflow, nullif(btrim(incoming.workflow), '') "
            "from incoming, lateral (select {values} from (select {names}) as one) as trimmed"
        ).format(values=trimmed_values(QUALITY_SCORES), names=names)
    ).fetchall()

    assert len(rows) == len(VALUES)
    assert [(raw, got) for raw, got, expected in rows if got != expected] == []
    assert {raw: got for raw, got, _ in rows}[" \tw01\t "] == "\tw01\t"


def test_loaded_values_are_trimmed(conn: psycopg.Connection, inbox: Path) -> None:
    rows = [
        score_row(1, workflow="  w01 ", score=" 0.25", evaluated_at="2026-09-24T13:05:12+00:00 "),
        score_row(2, lora="   ", creator=" "),
    ]
    outcome = load_file(conn, write_csv(inbox / "quality_scores_1.csv", rows))

    assert (outcome.rows_loaded, outcome.rows_quarantined) == (2, 0)
    stored = conn.execute(
        "select workflow, score, evaluated_at = '2026-09-24T13:05:12Z', lora, creator "
        "from raw.quality_scores order by score_id"
    ).fetchall()
    assert stored == [("w01", 0.25, True, "l01", "ann"), ("w01", 0.8, True, None, None)]
