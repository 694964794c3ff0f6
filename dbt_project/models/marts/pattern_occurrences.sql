{{
    config(
        materialized='incremental',
        unique_key='pattern_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        indexes=[{'columns': ['pattern_key', 'segment_id'], 'unique': true}],
    )
}}

-- The drill-down behind every pattern: each failing segment of each surfaced pattern. A
-- refresh replaces the rows of the patterns surfacing now (so re-running it is idempotent);
-- the rows of resolved patterns stay as they were when last seen (join failure_patterns for
-- the current ones, pattern_history for the rest).
with segments as (
    select * from {{ ref('int_segments_outcomes_derived') }}
),

candidates as (
    select * from {{ ref('int_pattern_candidates_evaluated') }}
),

surfaced as (
    select candidates.*
    from candidates
    where candidates.verdict = 'surfaced'
),

failed_segments as (
    select
        segments.segment_id,
        segments.job_id,
        segments.scene_id,
        segments.evaluated_at,
        segments.failed_checks,
        segments.failure_reasons,
        segments.workflow,
        segments.model,
        segments.lora,
        segments.character,
        segments.scene_type,
        segments.segment_position_bucket as segment_position
    from segments
    where segments.is_failed
),

final as (
    select
        surfaced.pattern_key,
        failed_segments.segment_id,
        failed_segments.job_id,
        failed_segments.scene_id,
        failed_segments.evaluated_at,
        failed_segments.failed_checks,
        failed_segments.failure_reasons
    from surfaced
    inner join failed_segments
        on {{ cell_in_combination('failed_segments', 'surfaced') }}
)

select * from final
