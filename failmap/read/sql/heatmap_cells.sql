-- Cells of the dimension pair (%(first)s, %(second)s), stored with the earlier dimension first,
-- with at least %(min_support)s segments, over all history (marts.failure_heatmap).
select
    failure_heatmap.x_value,
    failure_heatmap.y_value,
    failure_heatmap.total_count,
    failure_heatmap.failure_count,
    failure_heatmap.failure_rate,
    failure_heatmap.shrunk_failure_rate,
    failure_heatmap.overall_rate,
    failure_heatmap.prior_strength,
    failure_heatmap.is_pattern,
    failure_heatmap.pattern_key
from marts.failure_heatmap
where
    failure_heatmap.x_dimension = %(first)s
    and failure_heatmap.y_dimension = %(second)s
    and failure_heatmap.total_count >= %(min_support)s
