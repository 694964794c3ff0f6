-- Failed runs per category in the period, and in its last 7 days against the 7 days before.
select
    error_trends.category,
    sum(error_trends.failed_run_count)::bigint as failed_run_count,
    sum(error_trends.error_count)::bigint as error_count,
    coalesce(
        sum(error_trends.failed_run_count) filter (
            where error_trends.day > %(end)s::date - 7
        ),
        0
    )::bigint as last_7_days_failed_run_count,
    coalesce(
        sum(error_trends.failed_run_count) filter (
            where error_trends.day <= %(end)s::date - 7 and error_trends.day > %(end)s::date - 14
        ),
        0
    )::bigint as previous_7_days_failed_run_count
from marts.error_trends
where error_trends.day between %(start)s and %(end)s
group by error_trends.category
order by failed_run_count desc, error_count desc, error_trends.category asc
