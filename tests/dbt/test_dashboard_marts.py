"""The per-day marts behind the dashboard's period filter agree with the all-history marts.

marts.failure_heatmap_for_period over the data's whole span must return failure_heatmap's rows
(same cells, counts, shrunk rates and pattern flags): the same empirical Bayes method on the
same cells. daily_pattern_failures summed over all days must give each surfaced pattern's
failure_count. Run on the dashboard tests' demo database (planted demo data and a file of broken
rows, every model built), with the marts' own data and unit tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from failmap import database
from failmap.roles import DASHBOARD_ROLE
from tests.dbt.conftest import run_dbt
from tests.streamlit_app.dashboard_database import copy_of, demo_template

DASHBOARD_MARTS = "daily_failure_heatmap daily_pattern_failures quarantine_summary"


@pytest.fixture(scope="module")
def demo_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return copy_of(server_url, demo_template(server_url, tmp_path_factory.mktemp("dashboard")))


def test_dashboard_marts_pass_their_data_and_unit_tests(demo_url: str, dbt_target: Path) -> None:
    results = run_dbt(demo_url, ["test", "--select", DASHBOARD_MARTS], dbt_target)
    kinds = {result.node.resource_type for result in results.results}
    assert {"test", "unit_test"} <= {str(kind) for kind in kinds}


def test_the_period_heatmap_over_every_day_is_failure_heatmap(demo_url: str) -> None:
    with database.connect(demo_url) as conn:
        rows = conn.execute(
            """
            with span as (
                select min(day) as first_day, max(day) as last_day
                from marts.daily_failure_heatmap
            ),

            pairs as (
                select distinct x_dimension, y_dimension from marts.failure_heatmap
            ),

            for_period as (
                select pairs.x_dimension, pairs.y_dimension, cells.*
                from pairs
                cross join span
                cross join lateral marts.failure_heatmap_for_period(
                    pairs.x_dimension, pairs.y_dimension, span.first_day, span.last_day
                ) as cells
            )

            select
                (select count(*) from pairs) as pair_count,
                count(*) filter (where heatmap.x_value is null) as only_in_period,
                count(*) filter (where for_period.x_value is null) as only_in_heatmap,
                count(*) filter (
                    where for_period.total_count != heatmap.total_count
                    or for_period.failure_count != heatmap.failure_count
                    or for_period.is_pattern != heatmap.is_pattern
                    or for_period.pattern_key is distinct from heatmap.pattern_key
                ) as different_count,
                max(abs(for_period.shrunk_failure_rate - heatmap.shrunk_failure_rate))
                    as shrunk_difference,
                max(abs(for_period.overall_rate - heatmap.overall_rate)) as overall_difference,
                count(*) filter (where heatmap.is_pattern) as pattern_cell_count
            from for_period
            full join marts.failure_heatmap as heatmap
                using (x_dimension, y_dimension, x_value, y_value)
            """
        ).fetchone()
    pairs, only_in_period, only_in_heatmap, different, shrunk, overall, patterns = rows
    assert pairs == 15
    assert (only_in_period, only_in_heatmap, different) == (0, 0, 0)
    assert shrunk < 1e-12 and overall < 1e-12
    assert patterns > 0  # the flags were compared on real pattern cells


def test_a_patterns_daily_failures_sum_to_its_failures(demo_url: str) -> None:
    with database.connect(demo_url) as conn:
        rows = conn.execute(
            """
            select patterns.pattern_key, patterns.failure_count, sum(daily.failure_count)
            from marts.failure_patterns as patterns
            left join marts.daily_pattern_failures as daily
                on patterns.pattern_key = daily.pattern_key
            group by patterns.pattern_key, patterns.failure_count
            """
        ).fetchall()
    assert rows
    assert all(failures == summed for _, failures, summed in rows), rows


def test_the_dashboard_role_can_ask_for_a_periods_heatmap(demo_url: str) -> None:
    with database.connect(demo_url) as conn:
        conn.execute(f"set role {DASHBOARD_ROLE}")
        count = conn.execute(
            "select count(*) from marts.failure_heatmap_for_period("
            "'character', 'scene_type', current_date - 7, current_date)"
        ).fetchone()[0]
    assert count > 0
