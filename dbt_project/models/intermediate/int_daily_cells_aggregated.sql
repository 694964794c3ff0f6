{{
    config(
        materialized='incremental',
        unique_key='day',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['day']}],
    )
}}

-- The compact per-day cube: one row per day and combination of all six dimension values, with
-- segment and failure counts. Every pattern statistic is derived from it, never from segments.
-- Incremental by day: a refresh recomputes only the days whose segments changed (a newer
-- loaded_at, or different counts, e.g. a re-delivered segment that moved to another day).
-- `not materialized`: segments are read twice (every day's totals, then the changed days'
-- rows through the index on day), never copied.
with segments as not materialized (
    select * from {{ ref('int_segments_outcomes_derived') }}
),

{% if is_incremental() %}
    built as (
        select * from {{ this }}
    ),

    built_days as (
        {{ day_totals('built') }}
    ),

    current_days as (
        select
            segments.day,
            count(*) as total_count,
            count(*) filter (where segments.is_failed) as failure_count,
            max(segments.loaded_at) as last_loaded_at
        from segments
        group by segments.day
    ),

    changed_days as (
        {{ changed_days('current_days', 'built_days') }}
    ),
{% endif %}

final as (
    select
        segments.day,
        segments.workflow,
        segments.model,
        segments.lora,
        segments.character,
        segments.scene_type,
        segments.segment_position_bucket as segment_position,
        count(*) as segment_count,
        count(*) filter (where segments.is_failed) as failure_count,
        max(segments.loaded_at) as last_loaded_at
    from segments
    {% if is_incremental() %}
        -- An array, not `in (select ...)`: the planner then reads the changed days through the
        -- index on day instead of hashing them against every segment.
        where segments.day = any(array(select changed_days.day from changed_days))
    {% endif %}
    group by
        segments.day,
        segments.workflow,
        segments.model,
        segments.lora,
        segments.character,
        segments.scene_type,
        segments.segment_position_bucket
)

select * from final
