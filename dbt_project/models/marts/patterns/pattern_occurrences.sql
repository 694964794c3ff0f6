{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        indexes=[{'columns': ['pattern_key', 'segment_id'], 'unique': true}],
        full_refresh=false,
        pre_hook=[
            "set local enable_mergejoin = off",
            "{{ occurrences_coverage_prepared() }}",
            "{{ occurrences_outdated_deleted() }}",
        ],
        post_hook="{{ occurrences_coverage_recorded() }}",
    )
}}

-- The drill-down behind every pattern: each failing segment of each surfaced pattern. The rows
-- of resolved patterns stay as they were when last seen (join failure_patterns for the current
-- ones, pattern_history for the rest).
-- Incremental by segment load: a side table records, per pattern, the window its rows cover and
-- the newest segment load they include (macros/patterns/pattern_occurrences_coverage.sql). A
-- refresh adds, for each covered pattern, the failing segments loaded since (after the pre-hook
-- deleted the rows of those segments and of days before a later window start), and rebuilds in
-- full only the patterns not covered: new ones, a window reaching further back, or any pattern
-- when a file loaded since replaced checks. A window pattern rebuilt in full reads only its
-- window's days; a pattern over the whole history goes through the cells to every failed
-- segment. Re-running a refresh on the same data changes no row.
-- The append fails on the unique index if a row were added twice.
-- The pre-hook turns merge joins off for this model's transaction: the planner, expecting few
-- rows, joined the failed segments to the pattern cells by sorting both on six text values
-- (the failed segments spill to disk: 0.5 s of a 1 s query at 5.1M check rows); the hash join
-- reads them once.
-- depends_on: {{ ref('stg_raw__ingested_files') }}
{%- set bounds = occurrences_plan_bounds() %}
with plan as materialized (
    {{ occurrences_plan() }}
),

-- The patterns over the whole history rebuilt in full (through the cells).
rebuilt_patterns as (
    select plan.*
    from plan
    where plan.covered_through is null and plan.window_starts_on is null
),

cells as (
    select * from {{ ref('int_cells_aggregated') }}
),

-- The cells each of them covers, found by the cells' combination keys (a hash join);
-- materialized, so that the keys are made once per cell, not once per failed segment. None (and
-- no cell read) when there is no such pattern.
pattern_cells as materialized (
    select
        rebuilt_patterns.pattern_key,
        rebuilt_patterns.window_starts_on,
        {{ dimension_columns('cells', prefix='') }}
    from cells
    cross join lateral unnest({{ cell_combination_keys('cells') }}) as keys (combination_key)
    inner join rebuilt_patterns
        on keys.combination_key = rebuilt_patterns.pattern_key
    where exists (
        select from plan
        where plan.covered_through is null and plan.window_starts_on is null
    )
),

-- Every failed segment with what a row needs and what finds its patterns; `not materialized`:
-- read only where a CTE filters it, never copied. `failed_check_count > 0` (is_failed) keeps
-- the planner off the partial index of all failed segments, which it walked to intersect
-- with the indexes on loaded_at and day (0.08 s per pass at a year).
failed_segments as not materialized (
    select
        segments.segment_id,
        segments.job_id,
        segments.scene_id,
        segments.evaluated_at,
        segments.day,
        segments.failed_checks,
        segments.failure_reasons,
        segments.loaded_at,
        segments.workflow,
        segments.model,
        segments.lora,
        segments.character,
        segments.scene_type,
        segments.segment_position_bucket as segment_position
    from {{ ref('int_segments_outcomes_derived') }} as segments
    where segments.failed_check_count > 0
),

rebuilt as (
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
        on {{ same_cell('pattern_cells', 'failed_segments') }}
    -- A window-only pattern's drill-down covers its window (int_patterns_surfaced). No
    -- segment is read when no such pattern is rebuilt.
    where
        (
            pattern_cells.window_starts_on is null
            or pattern_cells.window_starts_on <= failed_segments.day
        )
        and exists (
            select from plan
            where plan.covered_through is null and plan.window_starts_on is null
        )
),

-- The failing segments the other patterns need: loaded after the oldest coverage, or in the
-- windows rebuilt in full (read through the indexes on loaded_at and day). Materialized: read
-- once, not once per pattern.
read_again as materialized (
    select failed_segments.*
    from failed_segments
    where
        failed_segments.loaded_at > {{ bounds.changed_since }}
        or failed_segments.day >= {{ bounds.windows_from }}
),

-- Found by the segments' combination keys: each covered pattern's failing segments loaded after
-- its own coverage, and each window pattern's rebuilt in full, within its window.
added as (
    select
        plan.pattern_key,
        read_again.segment_id,
        read_again.job_id,
        read_again.scene_id,
        read_again.evaluated_at,
        read_again.failed_checks,
        read_again.failure_reasons
    from read_again
    cross join
        lateral unnest({{ cell_combination_keys('read_again') }}) as keys (combination_key)
    inner join plan
        on keys.combination_key = plan.pattern_key
    where
        (plan.window_starts_on is null or plan.window_starts_on <= read_again.day)
        and (
            read_again.loaded_at > plan.covered_through
            or (plan.covered_through is null and plan.window_starts_on is not null)
        )
),

final as (
    select * from rebuilt
    union all
    select * from added
)

select * from final
