{{ config(indexes=[{'columns': ['segment_id'], 'unique': true}, {'columns': ['day']}]) }}

-- One row per generated segment: its six pattern dimensions and whether it failed.
-- A segment fails when any of its quality-gate checks failed.
with checks as (
    select * from {{ ref('stg_raw__quality_scores') }}
),

segments as (
    select
        checks.segment_id,
        -- All checks of a segment describe the same generation; max() picks that one value.
        max(checks.job_id) as job_id,
        max(checks.scene_id) as scene_id,
        max(checks.workflow) as workflow,
        max(checks.workflow_version) as workflow_version,
        max(checks.model) as model,
        max(checks.model_version) as model_version,
        max(checks.lora) as lora,
        max(checks.character) as character,
        max(checks.scene_type) as scene_type,
        max(checks.segment_position) as segment_position,
        max(checks.creator) as creator,
        max(checks.project) as project,
        max(checks.evaluated_at) as evaluated_at,
        count(*) as check_count,
        count(*) filter (where not checks.passed) as failed_check_count,
        coalesce(
            array_agg(checks.check_name order by checks.check_name)
            filter (where not checks.passed),
            '{}'
        ) as failed_checks,
        coalesce(
            array_agg(checks.failure_reason order by checks.check_name)
            filter (where not checks.passed and checks.failure_reason is not null),
            '{}'
        ) as failure_reasons,
        max(checks.loaded_at) as loaded_at
    from checks
    group by checks.segment_id
),

final as (
    select
        segments.segment_id,
        segments.job_id,
        segments.scene_id,
        segments.workflow,
        segments.workflow_version,
        segments.model,
        segments.model_version,
        segments.lora,
        segments.character,
        segments.scene_type,
        segments.segment_position,
        {{ segment_position_bucket('segments.segment_position') }} as segment_position_bucket,
        segments.creator,
        segments.project,
        segments.evaluated_at,
        (segments.evaluated_at at time zone 'UTC')::date as day,
        segments.failed_check_count > 0 as is_failed,
        segments.check_count,
        segments.failed_check_count,
        segments.failed_checks,
        segments.failure_reasons,
        segments.loaded_at
    from segments
)

select * from final
