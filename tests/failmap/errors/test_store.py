"""raw.error_message_signatures: every run error message with its signature, replaced as a
whole on each refresh; unchanged groups keep their ids, new families add signatures."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from failmap.errors import EMPTY_SIGNATURE, group_messages
from failmap.errors.store import read_run_error_messages, refresh_message_signatures
from failmap.ingest import load_file
from tests.failmap.ingest.conftest import run_row, write_csv

NAN = "NaN detected in latent at step {} of segment {}"
BATCH = "KSampler returned empty batch (node {})"
BLACK = "VAE decode produced an all-black frame at segment {} of {}"


def load_runs(conn: psycopg.Connection, folder: Path, name: str, rows: list[dict]) -> None:
    outcome = load_file(conn, write_csv(folder / f"runs_{name}.csv", rows))
    assert outcome.status == "loaded" and outcome.rows_quarantined == 0, outcome.summary()


def failed_run(index: int, fatal: str, transient: str | None = None) -> dict:
    errors = {"load_model": transient} if transient else {}
    errors["generate"] = fatal
    return run_row(index, failure_reason=fatal, phase_errors=json.dumps(errors))


def stored(conn: psycopg.Connection) -> dict[str, str]:
    rows = conn.execute("select message, signature_id from raw.error_message_signatures")
    return dict(rows.fetchall())


def test_refresh_stores_each_distinct_message_with_its_signature(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    rows = [failed_run(i, NAN.format(i, i % 5), BATCH.format(i % 3)) for i in range(12)]
    rows.append(run_row(99, status="succeeded", failure_reason="", phase_errors='{"upload": ""}'))
    load_runs(conn, tmp_path, "a", rows)

    refresh = refresh_message_signatures(conn)

    messages = read_run_error_messages(conn)
    expected = {m: s.signature_id for m, s in zip(messages, group_messages(messages), strict=True)}
    assert stored(conn) == expected
    assert len(messages) == 12 + 3 + 1  # 12 NaN, 3 batch nodes, the empty message
    assert expected[""] == EMPTY_SIGNATURE.signature_id
    assert (refresh.message_count, refresh.signature_count) == (16, 3)
    templates = conn.execute(
        "select distinct template, candidate_pattern from raw.error_message_signatures "
        "where message like 'NaN%%'"
    ).fetchall()
    assert templates == [
        ("NaN detected in latent at step <NUM> of segment <NUM>",
         r"^NaN\s+detected\s+in\s+latent\s+at\s+step\s+.+\s+of\s+segment\s+.+$")
    ]  # fmt: skip


def test_messages_come_from_failure_reasons_and_every_phase_error(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    rows = [
        run_row(1, failure_reason="only in the reason", phase_errors=""),
        run_row(2, failure_reason="", phase_errors=json.dumps({"encode": "in a phase", "x": None})),
        run_row(3, status="cancelled", failure_reason="cancelled by alice", phase_errors=""),
    ]
    load_runs(conn, tmp_path, "a", rows)

    messages = read_run_error_messages(conn)

    # A cancelled run's reason is no error; a JSON null message is the empty message.
    assert messages == ["", "in a phase", "only in the reason"]


def test_a_second_refresh_of_the_same_messages_keeps_every_id(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    load_runs(conn, tmp_path, "a", [failed_run(i, NAN.format(i, 2)) for i in range(8)])
    refresh_message_signatures(conn)
    first = stored(conn)

    again = refresh_message_signatures(conn)

    assert stored(conn) == first
    assert again.new_signature_ids == [] and again.vanished_signature_ids == []


def test_a_new_family_adds_a_signature_without_renaming_the_others(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    first_rows = [failed_run(i, NAN.format(i, 2), BATCH.format(i)) for i in range(10)]
    load_runs(conn, tmp_path, "a", first_rows)
    refresh_message_signatures(conn)
    before = stored(conn)

    new_rows = [failed_run(100 + i, BLACK.format(i, i + 3)) for i in range(6)]
    load_runs(conn, tmp_path, "b", new_rows)
    refresh = refresh_message_signatures(conn)

    after = stored(conn)
    assert {m: after[m] for m in before} == before
    [new_id] = refresh.new_signature_ids
    assert {after[BLACK.format(i, i + 3)] for i in range(6)} == {new_id}
    assert refresh.vanished_signature_ids == [] and refresh.successors == {}


def test_a_template_that_generalizes_gets_a_new_id_linked_to_the_old(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    bucket = "Upload to bucket {} failed with status 503"
    load_runs(conn, tmp_path, "a", [failed_run(i, bucket.format("renders-eu")) for i in range(3)])
    refresh_message_signatures(conn)
    [old_id] = set(stored(conn).values()) - {EMPTY_SIGNATURE.signature_id}

    names = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]
    more = [failed_run(10 + i, bucket.format(name)) for i, name in enumerate(names)]
    load_runs(conn, tmp_path, "b", more)
    refresh = refresh_message_signatures(conn)

    new_id = stored(conn)[bucket.format("renders-eu")]
    assert new_id != old_id
    assert refresh.vanished_signature_ids == [old_id]
    assert refresh.successors == {old_id: new_id}


def test_a_failed_refresh_keeps_the_previous_signatures(
    conn: psycopg.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_runs(conn, tmp_path, "a", [failed_run(i, NAN.format(i, 1)) for i in range(4)])
    refresh_message_signatures(conn)
    before = stored(conn)
    load_runs(conn, tmp_path, "b", [failed_run(10 + i, BATCH.format(i)) for i in range(4)])

    def broken(template: str) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("failmap.errors.store.template_to_pattern", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        refresh_message_signatures(conn)

    assert stored(conn) == before
