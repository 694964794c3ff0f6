{{ config(materialized='view') }}

-- Every failed segment with its dimensions, checks and reasons: the drill-down behind any cell
-- of a heatmap or any combination, for the app and the API. The drill-down asks for the newest
-- failed segments of a cell in a period (evaluated_at range, newest first, a few hundred): the
-- segment model's partial index on evaluated_at over its failed segments serves both the range
-- and the order, so a scan stops after those rows.
-- A view, not a copy: a copy of every failed segment was rewritten at each refresh (5 s of a new
-- day's build at a year of data: 765k rows), for rows the segment model already holds.
with segments as (
    select * from {{ ref('int_segments_outcomes_derived') }}
),

final as (
    select
        segments.segment_id,
        segments.job_id,
        segments.scene_id,
        segments.workflow,
        segments.model,
        segments.lora,
        segments.character,
        segments.scene_type,
        segments.segment_position,
        segments.segment_position_bucket,
        segments.day,
        segments.evaluated_at,
        segments.failed_checks,
        segments.failure_reasons
    from segments
    where segments.is_failed
)

select * from final
