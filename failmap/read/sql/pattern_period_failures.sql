-- Each pattern's failing segments on the days [%(start)s, %(end)s]
-- (marts.daily_pattern_failures): the number its drill-down lists for that period.
select
    daily_pattern_failures.pattern_key,
    sum(daily_pattern_failures.failure_count)::bigint as period_failure_count
from marts.daily_pattern_failures
where daily_pattern_failures.day between %(start)s and %(end)s
group by daily_pattern_failures.pattern_key
