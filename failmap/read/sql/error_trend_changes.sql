-- Failed runs per category of the period [%(start)s, %(end)s], and in the last 7 days of the
-- period against the 7 days before them. The comparison reads its own 14 days, which may begin
-- before the period (a 7-day report still compares with the week before it); a category with
-- failed runs only in the week before the period is listed with 0 in the period.
with days as (
    select error_trends.*
    from marts.error_trends
    where error_trends.day between least(%(start)s::date, %(end)s::date - 13) and %(end)s
),

counted as (
    select
        days.category,
        coalesce(
            sum(days.failed_run_count) filter (where days.day >= %(start)s::date), 0
        )::bigint as failed_run_count,
        coalesce(
            sum(days.error_count) filter (where days.day >= %(start)s::date), 0
        )::bigint as error_count,
        coalesce(
            sum(days.failed_run_count) filter (where days.day > %(end)s::date - 7), 0
        )::bigint as last_7_days_failed_run_count,
        coalesce(
            sum(days.failed_run_count) filter (
                where days.day <= %(end)s::date - 7 and days.day > %(end)s::date - 14
            ),
            0
        )::bigint as previous_7_days_failed_run_count
    from days
    group by days.category
)

select counted.*
from counted
where
    counted.previous_7_days_failed_run_count > 0
    or exists (
        select 1 from days
        where days.category = counted.category and days.day >= %(start)s::date
    )
order by counted.failed_run_count desc, counted.error_count desc, counted.category asc
