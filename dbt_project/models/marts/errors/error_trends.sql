-- One row per day with runs and per error category seen in the data (zero rows included, so
-- charts and rolling sums see every day): errors, failed runs, and 7-day rolling rates.
with runs as (
    select * from {{ ref('stg_raw__runs') }}
),

run_errors as (
    select * from {{ ref('run_errors') }}
),

daily_runs as (
    select
        (runs.started_at at time zone 'UTC')::date as day,
        count(*) as run_count,
        count(*) filter (where runs.status = 'failed') as failed_run_count
    from runs
    group by (runs.started_at at time zone 'UTC')::date
),

categories as (
    select distinct run_errors.category
    from run_errors
),

daily_category_errors as (
    select
        run_errors.started_on as day,
        run_errors.category,
        count(*) as error_count,
        count(*) filter (where run_errors.is_fatal) as failed_run_count,
        count(*) filter (where run_errors.is_recovery_succeeded) as recovered_error_count
    from run_errors
    group by run_errors.started_on, run_errors.category
),

grid as (
    select
        daily_runs.day,
        categories.category,
        daily_runs.run_count,
        daily_runs.failed_run_count as all_failed_run_count,
        coalesce(daily_category_errors.error_count, 0) as error_count,
        coalesce(daily_category_errors.failed_run_count, 0) as failed_run_count,
        coalesce(daily_category_errors.recovered_error_count, 0) as recovered_error_count
    from daily_runs
    cross join categories
    left join daily_category_errors
        on
            daily_runs.day = daily_category_errors.day
            and categories.category = daily_category_errors.category
),

rolling as (
    select
        grid.*,
        sum(grid.failed_run_count) over last_7_days as rolling_7d_failed_run_count,
        sum(grid.run_count) over last_7_days as rolling_7d_run_count
    from grid
    window last_7_days as (
        partition by grid.category
        order by grid.day
        range between interval '6 days' preceding and current row
    )
),

final as (
    select
        rolling.day::text || '|' || rolling.category as trend_key,
        rolling.day,
        rolling.category,
        rolling.run_count,
        rolling.error_count,
        rolling.failed_run_count,
        rolling.recovered_error_count,
        rolling.failed_run_count::double precision / rolling.run_count as failure_rate,
        rolling.failed_run_count::double precision
        / nullif(rolling.all_failed_run_count, 0) as share_of_failures,
        rolling.rolling_7d_failed_run_count::bigint as rolling_7d_failed_run_count,
        rolling.rolling_7d_run_count::bigint as rolling_7d_run_count,
        rolling.rolling_7d_failed_run_count::double precision
        / rolling.rolling_7d_run_count as rolling_7d_failure_rate
    from rolling
)

select * from final
