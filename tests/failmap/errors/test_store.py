"""raw.error_message_signatures: every run error message with its signature, regrouped as a
whole when the set of masked forms changes (else only the messages that came or went are
written, and the table equals a regrouping); unchanged groups keep their ids, new families add
signatures."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import create_engine, pool

from failmap import database
from failmap.errors import DEFAULT_CONFIG, EMPTY_SIGNATURE, GroupingConfig, group_messages
from failmap.errors.signatures import masked_form
from failmap.errors.store import (
    grouping_version,
    read_run_error_messages,
    refresh_message_signatures,
)
from failmap.ingest import load_file
from failmap.migrations import apply_migrations
from failmap.migrations.runner import _config
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


# Regrouping only when the grouping can change: a refresh whose messages bring no new masked
# form and take none away writes only those messages; the table must still equal a regrouping.


def all_rows(conn: psycopg.Connection) -> set[tuple[str, ...]]:
    """Every row, each column the refresh writes (grouped_at aside)."""
    query = (
        "select message, signature_id, template, candidate_pattern, masked_form, "
        "grouping_version from raw.error_message_signatures"
    )
    return set(conn.execute(query).fetchall())


def regrouped_rows(
    conn: psycopg.Connection, config: GroupingConfig = DEFAULT_CONFIG
) -> set[tuple[str, ...]]:
    """The rows a full regrouping of the current runs gives (from an empty table), rolled back."""
    with conn.transaction(force_rollback=True):
        conn.execute("delete from raw.error_message_signatures")
        assert refresh_message_signatures(conn, config).regrouped
        return all_rows(conn)


def grouped_families(conn: psycopg.Connection, tmp_path: Path) -> None:
    """Runs 0-9 fail with NaN messages, 10-12 with batch messages; grouped once, in full."""
    rows = [failed_run(i, NAN.format(i, i % 4)) for i in range(10)]
    rows += [failed_run(i, BATCH.format(i)) for i in range(10, 13)]
    load_runs(conn, tmp_path, "a", rows)
    assert refresh_message_signatures(conn).regrouped


def test_messages_with_known_masked_forms_are_added_without_regrouping(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    grouped_families(conn, tmp_path)

    rows = [failed_run(i, NAN.format(i, 7), BATCH.format(i)) for i in range(20, 25)]
    load_runs(conn, tmp_path, "b", rows)
    refresh = refresh_message_signatures(conn)

    assert not refresh.regrouped and not refresh.rewrote_all
    assert (refresh.added_messages, refresh.removed_messages) == (10, 0)
    assert (refresh.message_count, refresh.signature_count) == (1 + 13 + 10, 3)
    assert refresh.new_signature_ids == [] and refresh.vanished_signature_ids == []
    assert all_rows(conn) == regrouped_rows(conn)


def test_a_new_masked_form_regroups_everything(conn: psycopg.Connection, tmp_path: Path) -> None:
    grouped_families(conn, tmp_path)

    load_runs(conn, tmp_path, "b", [failed_run(30, BLACK.format(1, 2))])
    refresh = refresh_message_signatures(conn)

    assert refresh.regrouped
    assert len(refresh.new_signature_ids) == 1
    assert all_rows(conn) == regrouped_rows(conn)


def test_a_regrouping_masks_only_the_messages_without_a_stored_masked_form(
    conn: psycopg.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grouped_families(conn, tmp_path)
    masked: list[str] = []

    def counting_masked_form(message: str, config: GroupingConfig = DEFAULT_CONFIG) -> str:
        masked.append(message)
        return masked_form(message, config)

    monkeypatch.setattr("failmap.errors.store.masked_form", counting_masked_form)
    load_runs(conn, tmp_path, "b", [failed_run(30, BLACK.format(1, 2))])
    refresh = refresh_message_signatures(conn)

    assert refresh.regrouped
    assert masked == [BLACK.format(1, 2)]  # the 14 stored messages kept their masked forms
    monkeypatch.undo()
    assert all_rows(conn) == regrouped_rows(conn)


def test_a_regrouping_writes_only_the_rows_whose_signature_changed(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    bucket = "Upload to bucket {} failed with status 503"
    grouped_families(conn, tmp_path)
    load_runs(conn, tmp_path, "b", [failed_run(40 + i, bucket.format("eu")) for i in range(3)])
    refresh_message_signatures(conn)
    conn.execute("update raw.error_message_signatures set grouped_at = '2000-01-01'")
    before = stored(conn)

    # More buckets: the bucket form generalizes (a new signature), the NaN and batch forms stay.
    names = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]
    more = [failed_run(50 + i, bucket.format(name)) for i, name in enumerate(names)]
    load_runs(conn, tmp_path, "c", more)
    refresh = refresh_message_signatures(conn)

    assert refresh.regrouped and len(refresh.vanished_signature_ids) == 1
    assert not refresh.rewrote_all
    assert (refresh.added_messages, refresh.removed_messages, refresh.moved_messages) == (9, 0, 1)
    rewritten = {
        message
        for (message,) in conn.execute(
            "select message from raw.error_message_signatures where grouped_at > '2000-01-01'"
        ).fetchall()
    }
    assert rewritten == {bucket.format(name) for name in ["eu", *names]}
    after = stored(conn)
    assert {m: after[m] for m in before if not m.startswith("Upload")} == {
        m: s for m, s in before.items() if not m.startswith("Upload")
    }
    assert all_rows(conn) == regrouped_rows(conn)


def test_rows_of_another_grouping_version_are_masked_again(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    grouped_families(conn, tmp_path)
    # Another version's masking gave other forms: none of them may be reused.
    conn.execute(
        "update raw.error_message_signatures "
        "set grouping_version = 'older code', masked_form = 'stale ' || masked_form"
    )

    refresh = refresh_message_signatures(conn)

    assert refresh.regrouped and refresh.rewrote_all
    assert not any(row[4].startswith("stale ") for row in all_rows(conn))
    assert all_rows(conn) == regrouped_rows(conn)


def test_a_message_whose_masked_form_remains_is_removed_without_regrouping(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    grouped_families(conn, tmp_path)

    # Runs 0 and 1 delivered again with other NaN messages: theirs vanish, the form stays.
    load_runs(conn, tmp_path, "b", [failed_run(i, NAN.format(i + 50, 0)) for i in (0, 1)])
    refresh = refresh_message_signatures(conn)

    assert not refresh.regrouped
    assert (refresh.added_messages, refresh.removed_messages) == (2, 2)
    assert NAN.format(0, 0) not in stored(conn) and NAN.format(50, 0) in stored(conn)
    assert all_rows(conn) == regrouped_rows(conn)


def test_a_masked_form_that_vanishes_regroups_everything(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    grouped_families(conn, tmp_path)

    # Every batch run delivered again with a NaN message (a known form): the batch form is gone.
    load_runs(conn, tmp_path, "b", [failed_run(i, NAN.format(i, 1)) for i in range(10, 13)])
    refresh = refresh_message_signatures(conn)

    assert refresh.regrouped
    assert refresh.vanished_signature_ids == [group_messages([BATCH.format(1)])[0].signature_id]
    assert not any(message.startswith("KSampler") for message in stored(conn))
    assert all_rows(conn) == regrouped_rows(conn)


def test_rows_grouped_before_the_migration_are_regrouped(
    conn: psycopg.Connection, fresh_database_url: str, tmp_path: Path
) -> None:
    grouped_families(conn, tmp_path)
    conn.commit()
    # Back to the table as it was before migration 0010, and up again: no masked forms.
    url = fresh_database_url
    engine = create_engine(database.sqlalchemy_url(url), poolclass=pool.NullPool)
    with engine.begin() as connection:
        config = _config(url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    engine.dispose()
    apply_migrations(url)
    assert conn.execute(
        "select count(*) from raw.error_message_signatures where masked_form is null"
    ).fetchone() == (14,)

    refresh = refresh_message_signatures(conn)  # the same runs: no message came or went

    assert refresh.regrouped
    assert all_rows(conn) == regrouped_rows(conn)
    assert refresh_message_signatures(conn).regrouped is False  # filled in: kept from now on


def test_rows_of_another_grouping_version_are_regrouped(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    grouped_families(conn, tmp_path)
    conn.execute("update raw.error_message_signatures set grouping_version = 'older code'")

    refresh = refresh_message_signatures(conn)

    assert refresh.regrouped
    assert {row[-1] for row in all_rows(conn)} == {grouping_version()}


def test_the_stored_masked_form_is_the_one_grouped_with_the_configuration(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    cache = "Cache lookup failed key={} region=eu"
    keys = ["alpha7x", '"two words"', "beta9y"]
    load_runs(conn, tmp_path, "a", [failed_run(i, cache.format(k)) for i, k in enumerate(keys)])
    config = GroupingConfig(field_values_are_variables=True)
    refresh_message_signatures(conn, config)

    messages = read_run_error_messages(conn)
    rows = {row[0]: row for row in all_rows(conn)}
    assert {m: rows[m][4] for m in messages} == {m: masked_form(m, config) for m in messages}
    assert {rows[cache.format(k)][4] for k in keys} == {"Cache lookup failed key=<*> region=eu"}
    expected = {
        m: s.signature_id for m, s in zip(messages, group_messages(messages, config), strict=True)
    }
    assert {m: rows[m][1] for m in messages} == expected

    # Another configuration is another grouping: a refresh with it regroups.
    assert refresh_message_signatures(conn).regrouped
    assert all_rows(conn) == regrouped_rows(conn)


def test_real_messages_delivered_day_by_day_are_stored_as_a_full_regrouping_gives(
    conn: psycopg.Connection, tmp_path: Path, loghub_dir: Path
) -> None:
    # Real log lines (loghub), four systems interleaved and delivered in eight batches: each
    # refresh keeps the grouping or regroups by the change, and its rows are a full regrouping's.
    lines: list[str] = []
    for system in ("Spark", "OpenStack", "Linux", "HPC"):
        with (loghub_dir / f"{system}_2k.log_structured.csv").open(encoding="utf-8") as file:
            lines += [row["Content"] for row in csv.DictReader(file)][:600]
    lines = lines[0::4] + lines[1::4] + lines[2::4] + lines[3::4]  # systems mixed within days
    how: list[tuple[bool, bool]] = []
    for day in range(8):
        batch = lines[day * 300 : (day + 1) * 300]
        rows = [failed_run(day * 300 + i, message) for i, message in enumerate(batch)]
        load_runs(conn, tmp_path, f"day{day}", rows)
        refresh = refresh_message_signatures(conn)
        how.append((refresh.regrouped, refresh.rewrote_all))
        assert all_rows(conn) == regrouped_rows(conn), f"day {day}: {refresh}"
        conn.commit()  # the next day's load is a refresh of its own
    assert (True, False) in how  # regrouped by the change at least once
