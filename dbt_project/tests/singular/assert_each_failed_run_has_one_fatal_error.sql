-- Every failed run has exactly one fatal error in marts.run_errors, and no other run has one.
-- Without reading every run (at a year of data that took 1.5 s of a new day's build):
-- marts.run_errors declares that a run has at most one fatal error (a unique index on run_id
-- over its fatal errors) and that only an error of a failed run can be fatal (a check
-- constraint), so PostgreSQL refuses every row that would break either. This test fails, one
-- row per problem, when a declaration is gone, and on a day whose failed runs (counted from
-- raw.runs by int_run_days_aggregated) are not as many as its fatal errors (summed from
-- marts.run_errors by int_run_error_days_aggregated): with at most one fatal error per run and
-- only in failed runs, equal counts mean each failed run of the day has its one.
with run_days as (
    select * from {{ ref('int_run_days_aggregated') }}
),

error_days as (
    select * from {{ ref('int_run_error_days_aggregated') }}
),

run_error_columns as (
    select
        attribute.attrelid as table_oid,
        attribute.attnum as column_number
    from pg_catalog.pg_attribute as attribute
    where
        attribute.attrelid = to_regclass('{{ ref("run_errors") }}')
        and attribute.attname = 'run_id'
        and not attribute.attisdropped
),

declarations as (
    select
        'no unique index on run_id over the fatal errors' as problem,
        exists(
            select
            from pg_catalog.pg_index as idx
            inner join run_error_columns
                on
                    idx.indrelid = run_error_columns.table_oid
                    and idx.indnatts = 1
                    and idx.indkey[0] = run_error_columns.column_number
            where
                idx.indisunique
                and idx.indisvalid
                and pg_catalog.pg_get_expr(idx.indpred, idx.indrelid) = 'is_fatal'
        ) as is_declared
    union all
    select
        'no check constraint run_errors_fatal_only_when_failed' as problem,
        exists(
            select
            from pg_catalog.pg_constraint as constraints
            where
                constraints.conrelid = to_regclass('{{ ref("run_errors") }}')
                and constraints.conname = 'run_errors_fatal_only_when_failed'
                and constraints.contype = 'c'
                and constraints.convalidated
        ) as is_declared
),

failed_runs as (
    select
        run_days.day,
        sum(run_days.run_count) as failed_run_count
    from run_days
    where run_days.status = 'failed'
    group by run_days.day
),

fatal_errors as (
    select
        error_days.day,
        sum(error_days.fatal_error_count) as fatal_error_count
    from error_days
    group by error_days.day
    having sum(error_days.fatal_error_count) > 0
),

final as (
    select
        declarations.problem,
        null::date as day,
        null::numeric as failed_run_count,
        null::numeric as fatal_error_count
    from declarations
    where not declarations.is_declared
    union all
    select
        'failed runs and fatal errors differ' as problem,
        coalesce(failed_runs.day, fatal_errors.day) as day,
        coalesce(failed_runs.failed_run_count, 0) as failed_run_count,
        coalesce(fatal_errors.fatal_error_count, 0) as fatal_error_count
    from failed_runs
    full outer join fatal_errors
        on failed_runs.day = fatal_errors.day
    where
        coalesce(failed_runs.failed_run_count, 0)
        != coalesce(fatal_errors.fatal_error_count, 0)
)

select * from final
