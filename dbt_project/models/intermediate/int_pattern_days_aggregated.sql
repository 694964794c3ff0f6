-- Every surfaced pattern's daily series: its segments and failures per day (the per-day cube's
-- cells inside the pattern). Read by int_pattern_change_points and int_pattern_statuses.
with patterns as (
    select * from {{ ref('int_patterns_surfaced') }}
),

daily_cells as (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

final as (
    select
        patterns.pattern_key,
        daily_cells.day,
        sum(daily_cells.segment_count)::bigint as segment_count,
        sum(daily_cells.failure_count)::bigint as failure_count
    from daily_cells
    inner join patterns
        on {{ cell_in_combination('daily_cells', 'patterns') }}
    group by patterns.pattern_key, daily_cells.day
)

select * from final
