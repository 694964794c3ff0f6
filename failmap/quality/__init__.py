"""Great Expectations suites over the warehouse: distributions and business rules.

dbt's tests guard structure (keys, relationships); the suites in `expectations/` guard what the
numbers mean (rates in [0, 1], failure_count <= total_count, the share of quarantined rows per
file, no day without data once data has started). Dagster runs them as asset checks
(`orchestration/defs/quality/`); `failmap docs` serves their Data Docs.

`great_expectations` takes 6-13 s to import: only `validation` and `docs` import it, inside
functions, so loading the Dagster definitions or the CLI stays fast.
"""
