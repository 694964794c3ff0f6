-- Every dimension value with a daily series in marts.daily_failure_trends, per dimension.
select
    daily_failure_trends.dimension,
    daily_failure_trends.dimension_value
from marts.daily_failure_trends
group by daily_failure_trends.dimension, daily_failure_trends.dimension_value
order by daily_failure_trends.dimension asc, daily_failure_trends.dimension_value asc
