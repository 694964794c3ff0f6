-- Days between the first and the last day (UTC) of $time_column with no row at all. The days
-- are found by walking the index on $time_column from each day to the next (one lookup per day
-- of data), not by reading every row: this runs on every refresh over the whole history.
with recursive batch as not materialized (
    select * from {batch}
),

days as (
    select (min(batch.$time_column) at time zone 'UTC')::date as day
    from batch
    union all
    select (
        select (min(batch.$time_column) at time zone 'UTC')::date
        from batch
        where batch.$time_column >= (days.day + 1)::timestamp at time zone 'UTC'
    )
    from days
    where days.day is not null
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
where calendar.day::date not in (select days.day from days where days.day is not null)
order by missing_day
