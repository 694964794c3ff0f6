"""A marts.fix_effectiveness built by an earlier failmap (fewer columns) reads as 'not measured'
until the next refresh rebuilds it: the pattern pages and configuration checks keep working."""

from __future__ import annotations

from failmap import database
from failmap.read.patterns import credited_fixes, fix_measurements

OLD_SHAPE = """
    create table marts.fix_effectiveness (
        fix_id bigint, pattern_key text, fix_description text, reported_by text,
        fixed_at timestamptz, measured_verdict text, before_failure_rate double precision,
        after_failure_rate double precision, after_total_count bigint,
        required_after_count bigint, is_credited_with_resolution boolean
    )
"""
ROW = """
    insert into marts.fix_effectiveness values
        (1, 'lora=l16', 'retrained', 'ann', '2026-01-29', 'verified', 0.26, 0.09, 900, 61, true)
"""


def test_an_earlier_marts_shape_reads_as_not_measured(fresh_database_url: str) -> None:
    with database.connect(fresh_database_url, autocommit=True) as conn:
        assert fix_measurements(conn) == {}  # not built yet
        assert credited_fixes(conn) == {}
        conn.execute("create schema if not exists marts")
        conn.execute(OLD_SHAPE)
        conn.execute(ROW)
        assert fix_measurements(conn) == {}  # built without explained/masked_by_changes
        assert credited_fixes(conn) == {}
        conn.execute("alter table marts.fix_effectiveness add column explained_by_changes text")
        conn.execute("alter table marts.fix_effectiveness add column masked_by_changes text")
        assert fix_measurements(conn) == {}  # built without rose_again_on
        conn.execute("alter table marts.fix_effectiveness add column rose_again_on date")
        measured = fix_measurements(conn)
        assert measured[1].measured_verdict == "verified"
        assert credited_fixes(conn)["lora=l16"].fix_id == 1
