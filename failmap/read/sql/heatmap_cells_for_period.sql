-- Cells of the dimension pair (%(first)s, %(second)s) counted over the days [%(start)s, %(end)s]
-- (an open end is every day on that side) and shrunk toward that period's overall rate
-- (marts.failure_heatmap_for_period), with at least %(min_support)s segments.
select
    cells.x_value,
    cells.y_value,
    cells.total_count,
    cells.failure_count,
    cells.failure_rate,
    cells.shrunk_failure_rate,
    cells.overall_rate,
    cells.prior_strength,
    cells.is_pattern,
    cells.pattern_key
from
    marts.failure_heatmap_for_period(
        %(first)s,
        %(second)s,
        coalesce(%(start)s::date, '-infinity'::date),
        coalesce(%(end)s::date, 'infinity'::date)
    ) as cells
where cells.total_count >= %(min_support)s
