-- Quality gates (check_name) that failed more than $max_share of their checks on the latest day,
-- among gates with at least $min_checks results that day.
with batch as (
    select * from {batch}
),

daily as (
    select
        (batch.evaluated_at at time zone 'UTC')::date as day,
        batch.check_name,
        count(*) as check_count,
        count(*) filter (where not batch.passed) as failed_count
    from batch
    group by 1, 2
),

latest as (
    select max(daily.day) as day from daily
)

select
    daily.check_name,
    daily.check_count,
    daily.failed_count,
    round(daily.failed_count::numeric / daily.check_count, 4) as failed_share
from daily
inner join latest on daily.day = latest.day
where daily.check_count >= $min_checks and daily.failed_count > $max_share * daily.check_count
order by daily.check_name
