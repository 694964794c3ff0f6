"""The statistics macros and functions (dbt_project/macros/stats) against known values.

Every expected value below was computed once with scipy (scipy.special.gammaln,
scipy.stats.binom / hypergeom / norm, scipy.stats.false_discovery_control; Wilson from its
formula with norm.ppf) and written in, so these tests need no scipy at run time.
"""

from __future__ import annotations

import math
from pathlib import Path

import psycopg
import pytest

from failmap import database
from tests.dbt.conftest import compiled_rows, run_dbt

LN_GAMMA = [
    (0.5, 0.5723649429247),
    (1, 0.0),
    (2, 0.0),
    (3.7, 1.428072326665388),
    (10, 12.801827480081469),
    (100.5, 361.43554046777757),
    (12345.25, 103955.88771605412),
    (1e7, 151180949.36947393),
]
# k, n, p, P(X >= k) for X ~ Binomial(n, p)
BINOMIAL_SF = [
    (0, 10, 0.3, 1.0),
    (1, 10, 0.3, 0.9717524751),
    (5, 10, 0.3, 0.15026833259999992),
    (11, 10, 0.5, 0.0),
    (3, 40, 0.02, 0.04567023044071665),
    (72, 131, 0.085, 4.7289240993866925e-42),
    (1000, 10000, 0.09, 0.00030588056418343984),
    (30, 1000, 0.06, 0.9999959073239427),
    (50000, 1000000, 0.05, 0.5006406654336685),
    (30500, 500000, 0.06, 0.0015002991936011643),
    (900, 1000, 0.05, 0.0),  # far below double precision: 0, not an underflow error
]
# k, draws, successes, population, P(X >= k)
HYPERGEOMETRIC_SF = [
    (0, 5, 10, 100, 1.0),
    (2, 5, 10, 100, 0.0768567220702714),
    (5, 5, 10, 100, 3.3471682956219036e-06),
    (54, 104, 5606, 60224, 2.1090785855789887e-28),
    (764, 2573, 5606, 60224, 7.183879470272441e-200),
    (3, 3, 3, 6, 0.05000000000000001),
    (150, 597, 502, 2378, 0.0035908911181276927),
    (200, 2573, 5606, 60224, 0.9977245197823364),
    (30500, 500000, 600000, 10000000, 0.001163024696865154),
    (29000, 500000, 600000, 10000000, 0.9999999995936577),
    (45200, 500000, 600000, 10000000, 0.0),  # underflows to 0
    (10, 2000000, 10, 9000000, 2.936751929778721e-07),
]
# k, draws, successes, population, ln P(X >= k) (scipy.stats.hypergeom.logsf(k - 1, ...)): far
# below double precision the log is still exact, so such p-values can be ranked.
LN_HYPERGEOMETRIC_SF = [
    (2, 5, 10, 100, -2.5658123428127704),
    (54, 104, 5606, 60224, -63.726131440990166),
    (764, 2573, 5606, 60224, -458.54517904562533),
    (45200, 500000, 600000, 10000000, -3798.583076152667),
    (6302, 6302, 20000, 27700, -2391.6214228055323),
    (200, 2573, 5606, 60224, -0.002278073056613141),
]
# z, ln(1 - Phi(z)) (scipy.stats.norm.logsf)
LN_NORMAL_SF = [
    (-50, 0.0),
    (-1, -0.1727537790234499),
    (0, -0.6931471805599453),
    (1.5, -2.7059444008238898),
    (2, -3.7831843336820317),
    (8, -35.01343715991456),
    (40, -804.6084420137539),
    (200, -20006.21728089819),
]
NORMAL_CDF = [
    (-38, 0.0),
    (-8, 6.22096057427174e-16),
    (-3, 0.0013498980316300933),
    (-1.5, 0.06680720126885807),
    (0, 0.5),
    (0.3, 0.6179114221889526),
    (1.99, 0.9767045322497881),
    (2.5, 0.9937903346742238),
    (6, 0.9999999990134123),
]
NORMAL_QUANTILE = [
    (1e-10, -6.361340902404056),
    (0.025, -1.9599639845400545),
    (0.3, -0.5244005127080409),
    (0.5, 0.0),
    (0.975, 1.959963984540054),
    (0.999999, 4.753424308817087),
]
# successes, trials, lower, upper at 95 %
WILSON_95 = [
    (0, 10, 0.0, 0.27753279986288926),
    (5, 10, 0.236593090512564, 0.7634069094874361),
    (10, 10, 0.7224672001371109, 1.0),
    (72, 131, 0.46421644795146716, 0.6321930696679379),
    (1, 1000, 0.00017654637062607809, 0.0056425585979579355),
]
BH_P = [
    0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251, 0.269,
    0.275, 0.34, 0.341, 0.384, 0.569, 0.594, 0.696, 0.762, 0.94, 0.942, 0.975, 0.986,
]  # fmt: skip
BH_Q = [
    0.025, 0.1, 0.21, 0.21, 0.21, 0.25, 0.2642857142857143, 0.49107142857142866,
    0.49107142857142866, 0.49107142857142866, 0.49107142857142866, 0.49107142857142866,
    0.49107142857142866, 0.49107142857142866, 0.5328125, 0.5328125, 0.5647058823529413,
    0.781578947368421, 0.781578947368421, 0.87, 0.9071428571428571, 0.986, 0.986, 0.986, 0.986,
]  # fmt: skip


def _scalar(url: str, sql: str, params: tuple) -> float:
    with database.connect(url) as conn:
        return conn.execute(sql, params).fetchone()[0]


def _close(actual: float, expected: float, rel: float = 1e-9) -> bool:
    return math.isclose(actual, expected, rel_tol=rel, abs_tol=1e-300)


@pytest.mark.parametrize(("x", "expected"), LN_GAMMA)
def test_ln_gamma_matches_scipy(stats_db: str, x: float, expected: float) -> None:
    actual = _scalar(stats_db, "select staging.stats_ln_gamma(%s)", (x,))
    assert math.isclose(actual, expected, rel_tol=1e-13, abs_tol=1e-13)


@pytest.mark.parametrize(("k", "n", "p", "expected"), BINOMIAL_SF)
def test_binomial_upper_tail_matches_scipy(
    stats_db: str, k: int, n: int, p: float, expected: float
) -> None:
    actual = _scalar(stats_db, "select staging.stats_binomial_sf(%s, %s, %s)", (k, n, p))
    assert _close(actual, expected, rel=1e-7)


@pytest.mark.parametrize(("k", "draws", "successes", "population", "expected"), HYPERGEOMETRIC_SF)
def test_hypergeometric_upper_tail_matches_scipy(
    stats_db: str, k: int, draws: int, successes: int, population: int, expected: float
) -> None:
    actual = _scalar(
        stats_db,
        "select staging.stats_hypergeometric_sf(%s, %s, %s, %s)",
        (k, draws, successes, population),
    )
    assert _close(actual, expected, rel=1e-7)


@pytest.mark.parametrize(
    ("k", "draws", "successes", "population", "expected"), LN_HYPERGEOMETRIC_SF
)
def test_log_hypergeometric_tail_matches_scipy_beyond_double_precision(
    stats_db: str, k: int, draws: int, successes: int, population: int, expected: float
) -> None:
    actual = _scalar(
        stats_db,
        "select staging.stats_ln_hypergeometric_sf(%s, %s, %s, %s)",
        (k, draws, successes, population),
    )
    assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize(("z", "expected"), LN_NORMAL_SF)
def test_log_normal_tail_matches_scipy(stats_db: str, z: float, expected: float) -> None:
    actual = _scalar(stats_db, "select staging.stats_ln_normal_sf(%s)", (z,))
    assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize(("z", "expected"), NORMAL_CDF)
def test_normal_cdf_matches_scipy_in_both_tails(stats_db: str, z: float, expected: float) -> None:
    actual = _scalar(stats_db, "select staging.stats_normal_cdf(%s)", (z,))
    assert _close(actual, expected, rel=1e-12)


@pytest.mark.parametrize(("p", "expected"), NORMAL_QUANTILE)
def test_normal_quantile_matches_scipy(stats_db: str, p: float, expected: float) -> None:
    actual = _scalar(stats_db, "select staging.stats_normal_quantile(%s)", (p,))
    assert math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-12)


def test_wilson_interval_macros_match_formula(stats_db: str, dbt_target: Path) -> None:
    rows = ", ".join(f"({x}, {n})" for x, n, _, _ in WILSON_95)
    found = compiled_rows(
        stats_db,
        "select x, n, {{ wilson_lower('x', 'n', normal_quantile(0.975)) }} as lower_bound, "
        "{{ wilson_upper('x', 'n', normal_quantile(0.975)) }} as upper_bound "
        "from (values ROWS) as cases (x, n) order by n, x".replace("ROWS", rows),
        dbt_target,
    )
    actual = {(x, n): (lo, hi) for x, n, lo, hi in found}
    for x, n, lower, upper in WILSON_95:
        assert math.isclose(actual[(x, n)][0], lower, abs_tol=1e-12)
        assert math.isclose(actual[(x, n)][1], upper, abs_tol=1e-12)


def test_benjamini_hochberg_macro_matches_scipy(stats_db: str, dbt_target: Path) -> None:
    rows = ", ".join(f"('h{i:02d}', {p})" for i, p in enumerate(BH_P))
    found = compiled_rows(
        stats_db,
        (
            "select key, q_value from (with tests as (select * from (values ROWS, "
            "('untested', null::float8)) as cases (key, p_value)) "
            "{{ benjamini_hochberg('tests', 'p_value', 'key') }}) as bh"
        ).replace("ROWS", rows),
        dbt_target,
    )
    actual = dict(found)
    assert actual.pop("untested") is None
    assert [actual[f"h{i:02d}"] for i in range(len(BH_P))] == pytest.approx(BH_Q, rel=1e-12)


def test_shrunk_rate_pulls_small_cells_to_the_pooled_rate(stats_db: str, dbt_target: Path) -> None:
    # Cells: a 2-of-3 cell, a 300-of-1000 cell and ordinary ones around 6 %.
    cells = [(2, 3), (300, 1000), (60, 1000), (55, 1000), (70, 1000), (5, 100), (8, 100)]
    rows = ", ".join(f"({x}, {n})" for x, n in cells)
    found = compiled_rows(
        stats_db,
        "select x, n, {{ shrunk_rate('x', 'n', 'pooled', 'strength') }} as shrunk from ("
        "select x, n, sum(x) over ()::float8 / sum(n) over () as pooled, "
        "{{ beta_prior_strength('x', 'n', over='over ()') }} as strength "
        "from (values ROWS) as cells (x, n)) as priors".replace("ROWS", rows),
        dbt_target,
    )
    shrunk = {(x, n): rate for x, n, rate in found}
    # Method of moments computed by hand for these cells (see macros/stats/empirical_bayes.sql).
    x = [c[0] for c in cells]
    n = [c[1] for c in cells]
    total = sum(n)
    pooled = sum(x) / total
    spread = sum(xi * xi / ni for xi, ni in cells) - total * pooled**2
    tau2 = (spread - (len(cells) - 1) * pooled * (1 - pooled)) / (
        total - sum(ni * ni for ni in n) / total
    )
    strength = pooled * (1 - pooled) / tau2 - 1
    for xi, ni in cells:
        assert shrunk[(xi, ni)] == pytest.approx((xi + strength * pooled) / (ni + strength))
    assert shrunk[(300, 1000)] > shrunk[(2, 3)]
    assert shrunk[(2, 3)] < 2 / 3


def test_functions_are_created_idempotently(stats_db: str, dbt_target: Path) -> None:
    run_dbt(stats_db, ["run-operation", "install_stats_functions"], dbt_target)
    with psycopg.connect(database.psycopg_url(stats_db)) as conn:
        names = {
            row[0]
            for row in conn.execute(
                "select proname from pg_proc join pg_namespace on pronamespace = pg_namespace.oid"
                " where nspname = 'staging' and proname like 'stats_%%'"
            )
        }
    assert names >= {
        "stats_ln_gamma",
        "stats_ln_choose",
        "stats_binomial_sf",
        "stats_hypergeometric_sf",
        "stats_normal_cdf",
        "stats_normal_quantile",
    }
