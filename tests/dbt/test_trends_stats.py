"""The trend statistics macros against known values.

`rate_increase_p_value` / `rate_decrease_p_value` (macros/trends) are one-sided Fisher exact
tests; `mover_ratio_lower` / `mover_ratio_upper` (macros/stats) the MOVER-R interval of a ratio of
two rates; `version_strata`, `stratified_p_value` and `mantel_haenszel_ratio*` (macros/trends)
the stratified comparison of a version change, of its failure rates and of its pass rates.
Expected values were computed once with scipy (scipy.stats.fisher_exact with alternative greater
/ less; Wilson bounds at scipy.stats.norm.ppf(0.99) put into the MOVER-R formula;
scipy.stats.contingency.relative_risk for the Katz intervals) or taken from R's documentation
(`mantelhaen.test` on `Rabbits`), and written in.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy.stats import norm

from tests.dbt.conftest import compiled_rows

# x failures of n against rx of rn: P(fails at least this much more), P(at least this much less)
FISHER_ONE_SIDED = [
    (5, 10, 2, 40, 0.0020531734685296198, 0.9999147013948124),
    (0, 30, 18, 300, 1.0, 0.17140207335677807),
    (55, 260, 164, 2578, 2.279182339190021e-13, 0.9999999999999439),
    (10, 147, 325, 1342, 0.9999999796144615, 9.293493959468358e-08),
    (141, 2279, 325, 4491, 0.9527570515453828, 0.05833782588539448),
    (1, 1000, 0, 50, 0.9523809523809523, 1.0),
    (30, 1000, 4200, 70000, 0.9999954056106714, 9.778173212372056e-06),
]
# x1/n1 over x2/n2 at z = norm.ppf(0.99): lower, upper (None = unbounded)
MOVER_98 = [
    (60, 250, 210, 3500, 2.932314768005916, 5.373021254768308),
    (3, 30, 18, 300, 0.4441899153538246, 5.643261127394505),
    (0, 50, 12, 400, 0.0, 3.7117709867384736),
    (5, 100, 0, 200, 1.476364662689766, None),
    (236, 4000, 240, 4000, 0.7998219291294282, 1.2089672449372637),
]
# Large counts: MOVER-R agrees with the Katz (log) interval of scipy's relative_risk.
KATZ_98 = [
    (2400, 40000, 2000, 40000, 1.1205680337648316, 1.2850625366868227),
    (900, 10000, 1200, 10000, 0.6805557125880755, 0.826530421529895),
]


def test_one_sided_rate_tests_match_fisher_exact(stats_db: str, dbt_target: Path) -> None:
    rows = ", ".join(f"({x}, {n}, {rx}, {rn})" for x, n, rx, rn, _, _ in FISHER_ONE_SIDED)
    found = compiled_rows(
        stats_db,
        "select x, n, rx, rn, {{ rate_increase_p_value('x', 'n', 'rx', 'rn') }},"
        " {{ rate_decrease_p_value('x', 'n', 'rx', 'rn') }}"
        " from (values ROWS) as cases (x, n, rx, rn)".replace("ROWS", rows),
        dbt_target,
    )
    actual = {row[:4]: row[4:] for row in found}
    for x, n, rx, rn, greater, less in FISHER_ONE_SIDED:
        increase, decrease = actual[(x, n, rx, rn)]
        assert math.isclose(increase, greater, rel_tol=1e-7, abs_tol=1e-300)
        assert math.isclose(decrease, less, rel_tol=1e-7, abs_tol=1e-300)


def _mover(url: str, cases: list[tuple], target: Path) -> dict[tuple, tuple]:
    rows = ", ".join(f"({c[0]}, {c[1]}, {c[2]}, {c[3]})" for c in cases)
    z = "normal_quantile(0.99)"
    bounds = (
        "x1::float8 / n1 as r1, {{ wilson_lower('x1', 'n1', Z) }} as l1,"
        " {{ wilson_upper('x1', 'n1', Z) }} as u1, x2::float8 / n2 as r2,"
        " {{ wilson_lower('x2', 'n2', Z) }} as l2, {{ wilson_upper('x2', 'n2', Z) }} as u2"
    ).replace("Z", z)
    found = compiled_rows(
        url,
        "select x1, n1, x2, n2,"
        " {{ mover_ratio_lower('r1', 'l1', 'u1', 'r2', 'l2', 'u2') }},"
        " {{ mover_ratio_upper('r1', 'l1', 'u1', 'r2', 'l2', 'u2') }}"
        " from (select x1, n1, x2, n2, BOUNDS"
        " from (values ROWS) as cases (x1, n1, x2, n2)) as rates".replace("ROWS", rows).replace(
            "BOUNDS", bounds
        ),
        target,
    )
    return {row[:4]: row[4:] for row in found}


@pytest.fixture(scope="module")
def mover_bounds(stats_db: str, dbt_target: Path) -> dict[tuple, tuple]:
    return _mover(stats_db, MOVER_98 + KATZ_98, dbt_target)


def test_mover_ratio_interval_matches_its_formula(mover_bounds: dict[tuple, tuple]) -> None:
    actual = mover_bounds
    for x1, n1, x2, n2, lower, upper in MOVER_98:
        got_lower, got_upper = actual[(x1, n1, x2, n2)]
        assert math.isclose(got_lower, lower, rel_tol=1e-9, abs_tol=1e-12)
        if upper is None:
            assert got_upper is None
        else:
            assert math.isclose(got_upper, upper, rel_tol=1e-9)


def test_mover_ratio_interval_agrees_with_katz_at_large_counts(
    mover_bounds: dict[tuple, tuple],
) -> None:
    actual = mover_bounds
    for x1, n1, x2, n2, lower, upper in KATZ_98:
        got_lower, got_upper = actual[(x1, n1, x2, n2)]
        assert math.isclose(got_lower, lower, rel_tol=1e-3)
        assert math.isclose(got_upper, upper, rel_tol=1e-3)


# Strata of one change: (after failures, after segments, before failures, before segments).
# R's `Rabbits` (Penicillin.Level strata; "after" = no delay, "failure" = cured):
# mantelhaen.test(Rabbits) gives Mantel-Haenszel X-squared = 3.9286, p-value = 0.04747.
RABBITS = [(0, 6, 0, 5), (3, 6, 0, 6), (6, 6, 2, 6), (5, 6, 6, 6), (2, 2, 5, 5)]
RABBITS_P = 0.047472255142918154
# Two strata with the same ratio (2) but different base rates: the pooled ratio is 2 exactly.
COMMON_RATIO = [(20, 100, 10, 100), (60, 100, 30, 100)]
# One stratum: the p-value is Fisher's (twice the smaller scipy.stats.fisher_exact tail) and
# the Greenland-Robins interval the Katz (log) interval, here at 98 %
# (scipy.stats.contingency.relative_risk(...).confidence_interval(0.98)).
KATZ_ONE_STRATUM = [
    ((60, 250, 210, 3500), 3.946164759710896e-18, 4.0, 2.9497013445850295, 5.424277962707074),
    ((120, 400, 300, 1000), 1.0, 1.0, 0.8103968983317136, 1.2339632617777834),
]


def _stratified(url: str, strata: list[tuple], target: Path) -> tuple:
    """p-value, ratio and its 98 % bounds, the pass rates' ratio and its bounds, then the rate
    difference and its bounds, of one change with `strata`, through the CTEs that change_events
    builds (`version_strata`): every stratum another value of the other kind."""
    days = ", ".join(
        f"('s{index}', {after}, {count}, {failures})"
        for index, (x1, n1, x0, n0) in enumerate(strata)
        for after, count, failures in ((True, n1, x1), (False, n0, x0))
    )
    sql = (
        "with recursive changes as (select 'c' as change_key, 'workflow' as dimension,"
        " 'w' as dimension_value, 'a' as to_version, 'b' as from_version,"
        " date '2026-01-15' as changed_on),"
        " versions as (select 'model' as dimension, 'm' as dimension_value, 'v' as version"
        " where false),"
        " flags as (select 'c' as change_key, false as is_flagged),"
        " change_days as (select 'c' as change_key, date '2026-01-15' as day, is_after,"
        " 'model' as other_dimension, other_value, 'v' as other_version,"
        " 'scene' as scene_type, total_count,"
        " failure_count from (values DAYS)"
        " as days (other_value, is_after, total_count, failure_count)),"
        " {{ version_strata('t', 'flags') }}"
        " select t_compared.stratum_count, {{ stratified_p_value('t_compared') }},"
        " {{ mantel_haenszel_ratio('t_compared') }},"
        " {{ mantel_haenszel_ratio_lower('t_compared', normal_quantile(0.99)) }},"
        " {{ mantel_haenszel_ratio_upper('t_compared', normal_quantile(0.99)) }},"
        " {{ mantel_haenszel_ratio('t_compared', 'pass_ratio') }},"
        " {{ mantel_haenszel_ratio_lower('t_compared', normal_quantile(0.99), 'pass_ratio') }},"
        " {{ mantel_haenszel_ratio_upper('t_compared', normal_quantile(0.99), 'pass_ratio') }},"
        " {{ stratified_difference('t_compared') }},"
        " {{ stratified_difference_bound('t_compared', normal_quantile(0.99), '-') }},"
        " {{ stratified_difference_bound('t_compared', normal_quantile(0.99), '+') }}"
        " from t_compared"
    ).replace("DAYS", days)
    (row,) = compiled_rows(url, sql, target)
    return row


def test_stratified_p_value_matches_cochran_mantel_haenszel(
    stats_db: str, dbt_target: Path
) -> None:
    count, p_value, *_ = _stratified(stats_db, RABBITS, dbt_target)
    assert count == 5
    assert math.isclose(p_value, RABBITS_P, rel_tol=1e-9)


def test_mantel_haenszel_ratio_pools_a_common_ratio(stats_db: str, dbt_target: Path) -> None:
    count, p_value, ratio, lower, upper, *_ = _stratified(stats_db, COMMON_RATIO, dbt_target)
    assert count == 2
    assert math.isclose(ratio, 2.0, rel_tol=1e-12)
    assert lower < 2.0 < upper
    assert p_value < 0.01


def test_one_stratum_is_fishers_test_and_the_katz_interval(stats_db: str, dbt_target: Path) -> None:
    for stratum, p_value, ratio, lower, upper in KATZ_ONE_STRATUM:
        count, got_p_value, got_ratio, got_lower, got_upper, *_ = _stratified(
            stats_db, [stratum], dbt_target
        )
        assert count == 1
        assert math.isclose(got_p_value, p_value, rel_tol=1e-7)
        assert math.isclose(got_ratio, ratio, rel_tol=1e-12)
        assert math.isclose(got_lower, lower, rel_tol=1e-9)
        assert math.isclose(got_upper, upper, rel_tol=1e-9)


# The pass rates' ratio of the same strata: one stratum, the Katz interval of the passes
# (scipy.stats.contingency.relative_risk(190, 250, 3290, 3500).confidence_interval(0.98)).
KATZ_PASSES = [
    ((60, 250, 210, 3500), 0.8085106382978724, 0.743908872781256, 0.8787224835709795),
    ((120, 400, 300, 1000), 1.0, 0.9138406504898142, 1.094282684255734),
]


def test_pass_ratio_is_the_failure_ratio_of_the_passes(stats_db: str, dbt_target: Path) -> None:
    for stratum, ratio, lower, upper in KATZ_PASSES:
        got_ratio, got_lower, got_upper = _stratified(stats_db, [stratum], dbt_target)[5:8]
        assert math.isclose(got_ratio, ratio, rel_tol=1e-12)
        assert math.isclose(got_lower, lower, rel_tol=1e-9)
        assert math.isclose(got_upper, upper, rel_tol=1e-9)
    # Several strata: the pass terms are the failure terms with passes and failures swapped.
    for strata in (RABBITS, COMMON_RATIO):
        swapped = [(n1 - x1, n1, n0 - x0, n0) for x1, n1, x0, n0 in strata]
        pass_ratio, pass_lower, pass_upper = _stratified(stats_db, strata, dbt_target)[5:8]
        _, _, ratio, lower, upper, *_ = _stratified(stats_db, swapped, dbt_target)
        assert math.isclose(pass_ratio, ratio, rel_tol=1e-12)
        assert pass_lower == pytest.approx(lower, rel=1e-12)
        assert pass_upper == pytest.approx(upper, rel=1e-12)


def _difference(strata: list[tuple]) -> tuple[float, float, float]:
    """The rate difference of docs/trends.md: strata weighted n_new n_old / n, each rate's
    variance its Wilson half-width over z, squared; 98 % bounds."""
    z = norm.ppf(0.99)

    def variance(x: int, n: int) -> float:
        return (x * (n - x) / n + z**2 / 4) / (n + z**2) ** 2

    weights = [n1 * n0 / (n1 + n0) for _, n1, _, n0 in strata]
    total = sum(weights)
    difference = (
        sum(w * (x1 / n1 - x0 / n0) for w, (x1, n1, x0, n0) in zip(weights, strata, strict=True))
        / total
    )
    spread = (
        z
        * math.sqrt(
            sum(
                w**2 * (variance(x1, n1) + variance(x0, n0))
                for w, (x1, n1, x0, n0) in zip(weights, strata, strict=True)
            )
        )
        / total
    )
    return difference, difference - spread, difference + spread


def test_rate_difference_is_weighted_with_wilson_widths(stats_db: str, dbt_target: Path) -> None:
    cases = [RABBITS, COMMON_RATIO, [(3, 4000, 2, 4000)], [(0, 5000, 0, 5000)], [(0, 10, 0, 10)]]
    for strata in cases:
        got = _stratified(stats_db, strata, dbt_target)[8:]
        assert got == pytest.approx(_difference(strata), rel=1e-9, abs=1e-12)
    # No failure on either side: the interval still has a width, narrower with more segments.
    (_, lower_few, upper_few) = _stratified(stats_db, [(0, 10, 0, 10)], dbt_target)[8:]
    (_, lower_many, upper_many) = _stratified(stats_db, [(0, 5000, 0, 5000)], dbt_target)[8:]
    assert lower_few < lower_many < 0 < upper_many < upper_few
