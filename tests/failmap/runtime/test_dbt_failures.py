"""A failed dbt step's summary names the failed models and tests and why.

The texts are what dagster-dbt put in the step's error for a refresh whose `kpis` mart broke
its not-null constraint (captured from a real run) and for a failing data test.
"""

from __future__ import annotations

from failmap.runtime.dbt_failures import dbt_failures

STEP_ERROR = """dagster_dbt.errors.DagsterDbtCliRuntimeError: The dbt CLI process with command

`/x/.venv/bin/failmap-dbt build --exclude-resource-type unit_test --select fqn:*`

failed with exit code `1`. Check the stdout in the Dagster compute logs for the full information \
about the error, or view the dbt debug log: /x/target/failmap_dbt_models-0daeb3c/dbt.log.

Errors parsed from dbt logs:

184 of 193 ERROR creating sql table model marts.kpis ........... [\x1b[31mERROR\x1b[0m in 0.11s]

\x1b[31mFailure in model kpis (models/marts/alerts/kpis.sql)\x1b[0m

  Database Error in model kpis (models/marts/alerts/kpis.sql)
  null value in column "kpi" of relation "kpis__dbt_tmp" violates not-null constraint
  DETAIL:  Failing row contains (null, Median hours from a pattern's first failing segment...).
  compiled code at target/failmap_dbt_models-0daeb3c/run/failmap/models/marts/alerts/kpis.sql
"""

TEST_ERROR = """Errors parsed from dbt logs:

\x1b[31mFailure in test accepted_values_stg_app__pattern_fixes_effectiveness (models/x.yml)\x1b[0m
  Got 1 result, configured to fail if != 0

  compiled code at target/compiled/failmap/models/x.yml/accepted_values_stg_app.sql
"""


def test_a_broken_constraint_names_its_model_and_column() -> None:
    assert dbt_failures(STEP_ERROR) == [
        'model kpis: null value in column "kpi" of relation "kpis__dbt_tmp" violates '
        "not-null constraint"
    ]


def test_a_failing_data_test_names_the_test_and_its_count() -> None:
    assert dbt_failures(TEST_ERROR) == [
        "test accepted_values_stg_app__pattern_fixes_effectiveness: "
        "Got 1 result, configured to fail if != 0"
    ]


def test_many_failures_are_cut_with_a_count() -> None:
    many = "Errors parsed from dbt logs:\n" + "\n".join(
        f"Database Error in model m{i} (models/m{i}.sql)\n  boom {i}" for i in range(8)
    )
    assert dbt_failures(many, limit=3) == [
        "model m0: boom 0",
        "model m1: boom 1",
        "model m2: boom 2",
        "and 5 more (see the log)",
    ]


def test_a_node_without_a_reason_does_not_take_the_next_nodes() -> None:
    text = (
        "Errors parsed from dbt logs:\n"
        "Compilation Error in model a (models/a.sql)\n"
        "Database Error in model b (models/b.sql)\n"
        "  boom b\n"
    )
    assert dbt_failures(text) == ["model a", "model b: boom b"]


def test_an_error_without_dbt_lines_adds_nothing() -> None:
    assert dbt_failures("psycopg.OperationalError: the server closed the connection") == []
