-- Failed runs per error code (`none` when the run carries none): in all data, on the latest day
-- in the data, and per day over the %(days)s days before it (the spike alert's baseline).
with failed as (
    select distinct
        run_errors.run_id,
        coalesce(run_errors.error_code, 'none') as error_code,
        run_errors.started_on as day
    from marts.run_errors
    where run_errors.run_status = 'failed'
),

latest as (
    select max(failed.day) as day from failed
)

select
    failed.error_code,
    count(*) as failed_run_count,
    count(*) filter (where failed.day = latest.day) as latest_day_count,
    (
        count(*) filter (
            where failed.day >= latest.day - %(days)s::int and failed.day < latest.day
        ) / %(days)s::float8
    )::float8 as daily_average
from failed
cross join latest
group by failed.error_code
