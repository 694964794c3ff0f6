-- Days between the first and the last day of data ($day_expression) with no row at all.
with batch as (
    select * from {batch}
),

days as (
    select distinct $day_expression as day
    from batch
    where $day_filter
),

span as (
    select
        min(days.day) as first_day,
        max(days.day) as last_day
    from days
)

select calendar.day::date as missing_day
from span
cross join generate_series(span.first_day, span.last_day, interval '1 day') as calendar (day)
where calendar.day::date not in (select days.day from days)
order by missing_day
