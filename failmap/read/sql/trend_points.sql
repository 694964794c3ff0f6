-- Days x dimension values of marts.daily_failure_trends: one dimension (null: all; `overall`
-- is the whole data) and value (null: all), days [%(start)s, %(end)s] (null: open), only flagged
-- days when %(flagged_only)s; oldest first, or newest first when %(newest_first)s. A null limit
-- is every row.
select
    daily_failure_trends.day,
    daily_failure_trends.dimension,
    daily_failure_trends.dimension_value,
    daily_failure_trends.total_count,
    daily_failure_trends.failure_count,
    daily_failure_trends.failure_rate,
    daily_failure_trends.baseline_rate,
    coalesce(daily_failure_trends.regression_flag, false) as regression_flag,
    coalesce(daily_failure_trends.improvement_flag, false) as improvement_flag,
    daily_failure_trends.explained_by_change,
    count(*) over () as matching_count
from marts.daily_failure_trends
where
    (
        %(dimension)s::text is null
        or daily_failure_trends.dimension = %(dimension)s::text
    )
    and (
        %(value)s::text is null
        or daily_failure_trends.dimension_value = %(value)s::text
    )
    and (%(start)s::date is null or daily_failure_trends.day >= %(start)s::date)
    and (%(end)s::date is null or daily_failure_trends.day <= %(end)s::date)
    and (
        not %(flagged_only)s
        or daily_failure_trends.regression_flag
        or daily_failure_trends.improvement_flag
    )
order by
    case when %(newest_first)s then daily_failure_trends.day end desc,
    daily_failure_trends.day asc,
    daily_failure_trends.dimension asc,
    daily_failure_trends.dimension_value asc
limit %(limit)s offset %(offset)s
