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

DASHBOARD_MARTS = (
    "daily_failure_heatmap daily_pattern_failures daily_pattern_rates quarantine_summary"
)


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


def test_a_patterns_daily_rates_split_each_day_between_it_and_the_rest(demo_url: str) -> None:
    """daily_pattern_rates (the sparkline): the pattern's and the rest's segments and failures
    add up to the day's totals, and on a day daily_pattern_failures lists its failures they are
    the same (a window-only pattern lists only its window's failing segments, while its series
    covers every day)."""
    with database.connect(demo_url) as conn:
        split = conn.execute(
            """
            select count(*),
                count(*) filter (
                    where rates.segment_count + rates.rest_segment_count = overall.total_count
                    and rates.failure_count + rates.rest_failure_count = overall.failure_count
                ),
                count(*) filter (
                    where failures.failure_count is not null
                    and rates.failure_count != failures.failure_count
                )
            from marts.daily_pattern_rates as rates
            inner join marts.daily_failure_trends as overall
                on rates.day = overall.day and overall.dimension = 'overall'
            left join marts.daily_pattern_failures as failures
                on rates.pattern_key = failures.pattern_key and rates.day = failures.day
            """
        ).fetchone()
        keys = conn.execute(
            "select count(distinct pattern_key) = (select count(*) from marts.failure_patterns) "
            "from marts.daily_pattern_rates"
        ).fetchone()[0]
    rows, adding_up, differing = split
    assert rows > 0
    assert adding_up == rows
    assert differing == 0
    assert keys  # every surfaced pattern has its series


def test_the_dashboard_role_can_ask_for_a_periods_heatmap(demo_url: str) -> None:
    with database.connect(demo_url) as conn:
        conn.execute(f"set role {DASHBOARD_ROLE}")
        count = conn.execute(
            "select count(*) from marts.failure_heatmap_for_period("
            "'character', 'scene_type', current_date - 7, current_date)"
        ).fetchone()[0]
    assert count > 0
