-- Every failed run has exactly one fatal error in marts.run_errors, and no other run has one.
with runs as (
    select * from {{ ref('stg_raw__runs') }}
),

run_errors as (
    select * from {{ ref('run_errors') }}
),

fatal_counts as (
    select
        runs.run_id,
        runs.status,
        count(run_errors.run_error_id) filter (where run_errors.is_fatal) as fatal_error_count
    from runs
    left join run_errors
        on runs.run_id = run_errors.run_id
    group by runs.run_id, runs.status
),

final as (
    select
        fatal_counts.run_id,
        fatal_counts.status,
        fatal_counts.fatal_error_count
    from fatal_counts
    where
        fatal_counts.fatal_error_count
        != case when fatal_counts.status = 'failed' then 1 else 0 end
)

select * from final
