{{
    config(
        indexes=[
            {'columns': ['evaluated_at']},
            {'columns': ['segment_id'], 'unique': true},
        ],
    )
}}

-- Every failed segment with its dimensions, checks and reasons: the drill-down behind any cell
-- of a heatmap or any combination, for the app and the API. The drill-down asks for the newest
-- failed segments of a cell in a period (evaluated_at range, newest first, a few hundred): the
-- index on evaluated_at serves both the range and the order, so a scan stops after those rows
-- (an index on day could only filter; it would leave every failed segment of the period to sort).
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
