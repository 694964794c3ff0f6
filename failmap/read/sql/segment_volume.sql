-- Segments, failed segments and regression days on the days [%(start)s, %(end)s]: the sum of
-- the daily `overall` rows of marts.daily_failure_trends.
select
    coalesce(sum(daily_failure_trends.total_count), 0)::bigint as segment_count,
    coalesce(sum(daily_failure_trends.failure_count), 0)::bigint as failed_segment_count,
    count(*) filter (where daily_failure_trends.regression_flag) as regression_day_count
from marts.daily_failure_trends
where
    daily_failure_trends.dimension = 'overall'
    and daily_failure_trends.day between %(start)s and %(end)s
