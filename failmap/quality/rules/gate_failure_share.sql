-- Quality gates (check_name) that failed more than $max_share of their checks on the latest day,
-- among gates with at least $min_checks results that day. Only the latest day's rows are read
-- (the newest evaluated_at and the day's rows through the index on evaluated_at).
with batch as not materialized (
    select * from {batch}
),

latest as (
    select (max(batch.evaluated_at) at time zone 'UTC')::date as day
    from batch
),

gates as (
    select
        batch.check_name,
        count(*) as check_count,
        count(*) filter (where not batch.passed) as failed_count
    from batch
    cross join latest
    where batch.evaluated_at >= latest.day::timestamp at time zone 'UTC'
    group by batch.check_name
)

select
    gates.check_name,
    gates.check_count,
    gates.failed_count,
    round(gates.failed_count::numeric / gates.check_count, 4) as failed_share
from gates
where gates.check_count >= $min_checks and gates.failed_count > $max_share * gates.check_count
order by gates.check_name
