{{ config(indexes=[{'columns': ['day']}, {'columns': ['segment_id'], 'unique': true}]) }}

-- Every failed segment with its dimensions, checks and reasons: the drill-down behind any cell
-- of a heatmap or any combination, for the app and the API.
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
