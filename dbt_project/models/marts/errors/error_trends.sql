-- One row per day with runs and per error category seen in the data (zero rows included, so
-- charts and rolling sums see every day): errors, failed runs, and 7-day rolling rates. Read
-- from the per-day counts of runs and errors, never from every run.
with run_days as (
    select * from {{ ref('int_run_days_aggregated') }}
),

error_days as (
    select * from {{ ref('int_run_error_days_aggregated') }}
),

daily_runs as (
    select
        run_days.day,
        sum(run_days.run_count)::bigint as run_count,
        {{ filtered_sum('run_days.run_count', "run_days.status = 'failed'") }}
            as failed_run_count
    from run_days
    group by run_days.day
),

categories as (
    select distinct error_days.category
    from error_days
),

-- A failed run has exactly one fatal error: fatal errors count failed runs.
daily_category_errors as (
    select
        error_days.day,
        error_days.category,
        sum(error_days.error_count)::bigint as error_count,
        sum(error_days.fatal_error_count)::bigint as failed_run_count,
        sum(error_days.recovered_error_count)::bigint as recovered_error_count
    from error_days
    group by error_days.day, error_days.category
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
