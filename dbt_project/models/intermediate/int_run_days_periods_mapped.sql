-- One row per day with runs and per period grain: the day, week, month and whole span the day
-- belongs to, so that marts summarize every grain with one join (UTC days, ISO weeks).
with run_days as (
    select * from {{ ref('int_run_days_aggregated') }}
),

days as (
    select distinct run_days.day
    from run_days
),

span as (
    select
        min(days.day) as first_day,
        max(days.day) as last_day
    from days
),

periods as (
    select
        days.day,
        'day' as period_grain,
        days.day as period_start,
        days.day as period_end
    from days
    union all
    select
        days.day,
        'week' as period_grain,
        date_trunc('week', days.day)::date as period_start,
        date_trunc('week', days.day)::date + 6 as period_end
    from days
    union all
    select
        days.day,
        'month' as period_grain,
        date_trunc('month', days.day)::date as period_start,
        (date_trunc('month', days.day) + interval '1 month - 1 day')::date as period_end
    from days
    union all
    select
        days.day,
        'all' as period_grain,
        span.first_day as period_start,
        span.last_day as period_end
    from days
    cross join span
),

final as (
    select
        case
            when periods.period_grain = 'all' then 'all'
            else periods.period_grain || ':' || periods.period_start::text
        end as period_key,
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        periods.day
    from periods
)

select * from final
