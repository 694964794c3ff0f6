-- Every current pattern's daily series against the rest of the data: its segments and failures
-- per UTC day (int_pattern_days_aggregated) beside every other segment's that day. The
-- dashboard draws a pattern's sparkline from it; status and started_on come from the same
-- series (int_pattern_statuses). Days with no segment of the pattern have no row.
with patterns as (
    select * from {{ ref('int_patterns_ranked') }}
),

pattern_days as (
    select * from {{ ref('int_pattern_days_aggregated') }}
),

-- Every segment per day: trend tracking's `overall` series (already summed from the cube).
trend_days as (
    select * from {{ ref('int_trend_days_aggregated') }}
),

daily_totals as (
    {{ overall_day_totals('trend_days') }}
),

final as (
    select
        pattern_days.pattern_key,
        pattern_days.day,
        pattern_days.segment_count,
        pattern_days.failure_count,
        daily_totals.segment_count - pattern_days.segment_count as rest_segment_count,
        daily_totals.failure_count - pattern_days.failure_count as rest_failure_count
    from pattern_days
    inner join patterns
        on pattern_days.pattern_key = patterns.pattern_key
    inner join daily_totals
        on pattern_days.day = daily_totals.day
)

select * from final
