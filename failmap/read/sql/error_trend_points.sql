-- Daily failed runs per category in the period (marts.error_trends), for the sparklines and
-- the week-over-week comparison; one category (null: all).
select
    error_trends.day,
    error_trends.category,
    error_trends.failed_run_count,
    error_trends.error_count
from marts.error_trends
where
    error_trends.day between %(start)s and %(end)s
    and (%(category)s::text is null or error_trends.category = %(category)s::text)
order by error_trends.category asc, error_trends.day asc
