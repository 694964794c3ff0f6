{{
    config(
        materialized='incremental',
        unique_key='pattern_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        indexes=[{'columns': ['pattern_key', 'segment_id'], 'unique': true}],
        full_refresh=false,
        pre_hook="set local enable_mergejoin = off",
    )
}}

-- The drill-down behind every pattern: each failing segment of each surfaced pattern. A
-- refresh replaces the rows of the patterns surfacing now (so re-running it is idempotent);
-- the rows of resolved patterns stay as they were when last seen (join failure_patterns for
-- the current ones, pattern_history for the rest).
-- The pre-hook turns merge joins off for this model's transaction: the planner, expecting few
-- rows, joined the failed segments to the pattern cells by sorting both on six text values
-- (the failed segments spill to disk: 0.5 s of a 1 s query at 5.1M check rows); the hash join
-- reads them once.
with segments as (
    -- Failed segments only (a tenth of all at demo rates): no scan of the per-segment model.
    select * from {{ ref('failed_segments') }}
),

candidates as (
    select * from {{ ref('int_patterns_surfaced') }}
),

surfaced as (
    select candidates.*
    from candidates
    where candidates.verdict = 'surfaced'
),

cells as (
    select * from {{ ref('int_cells_aggregated') }}
),

-- The cells each surfaced pattern covers, found by the cells' combination keys (a hash join);
-- materialized, so that the keys are made once per cell, not once per failed segment.
pattern_cells as materialized (
    select
        surfaced.pattern_key,
        surfaced.window_starts_on,
        {{ dimension_columns('cells', prefix='') }}
    from cells
    cross join lateral unnest({{ cell_combination_keys('cells') }}) as keys (combination_key)
    inner join surfaced
        on keys.combination_key = surfaced.pattern_key
),

failed_segments as (
    select
        segments.segment_id,
        segments.job_id,
        segments.scene_id,
        segments.evaluated_at,
        segments.day,
        segments.failed_checks,
        segments.failure_reasons,
        segments.workflow,
        segments.model,
        segments.lora,
        segments.character,
        segments.scene_type,
        segments.segment_position_bucket as segment_position
    from segments
),

final as (
    select
        pattern_cells.pattern_key,
        failed_segments.segment_id,
        failed_segments.job_id,
        failed_segments.scene_id,
        failed_segments.evaluated_at,
        failed_segments.failed_checks,
        failed_segments.failure_reasons
    from pattern_cells
    inner join failed_segments
        on
            pattern_cells.workflow = failed_segments.workflow
            and pattern_cells.model = failed_segments.model
            and pattern_cells.lora = failed_segments.lora
            and pattern_cells.character = failed_segments.character
            and pattern_cells.scene_type = failed_segments.scene_type
            and pattern_cells.segment_position = failed_segments.segment_position
    -- A window-only pattern's drill-down covers its window (int_patterns_surfaced).
    where
        pattern_cells.window_starts_on is null
        or pattern_cells.window_starts_on <= failed_segments.day
)

select * from final
