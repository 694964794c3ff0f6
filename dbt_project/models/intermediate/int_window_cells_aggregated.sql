-- The per-day cube summed over each recent window (var `pattern_window_days`, e.g. the last 1,
-- 3 and 7 days ending at the latest day with data): one row per window and cell. Only the
-- days of the longest window are read, so the cost grows with days x cells of that window.
-- The windows are evaluated by int_window_combinations_tested (docs/patterns.md, "Time").
-- `not materialized`: the latest day and the window's days are then read through the cube's
-- index on day instead of a copy of all its days (half of the model's time at 10M segments).
with daily_cells as not materialized (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

latest as (
    select max(daily_cells.day) as day
    from daily_cells
),

windows as (
    select window_days
    from unnest(array{{ var('pattern_window_days') }}::integer[]) as windows (window_days)
),

recent_cells as (
    select daily_cells.*
    from daily_cells
    cross join latest
    where daily_cells.day > latest.day - {{ var('pattern_window_days') | max }}
),

final as (
    select
        windows.window_days,
        {{ dimension_columns('recent_cells', prefix='') }},
        sum(recent_cells.segment_count)::bigint as segment_count,
        sum(recent_cells.failure_count)::bigint as failure_count
    from recent_cells
    cross join latest
    inner join windows
        on recent_cells.day > latest.day - windows.window_days
    group by
        windows.window_days,
        {{ dimension_columns('recent_cells', prefix='') }}
)

select * from final
