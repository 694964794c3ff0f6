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
-- Incremental by day: a refresh recomputes only the days whose segments changed: the days of
-- the segments loaded since the newest load built (through the segment model's index on
-- loaded_at; the watermark is a literal, see `built_watermark`). Only when a file loaded since
-- replaced checks loaded before (the ledger's `rows_replaced`), or a check loaded since joined a
-- segment built before (`built_segments_changed_since`), can a segment have moved to another
-- day or vanished without a newer load on the day it left; then every day's totals are compared
-- with what was built (a read of every segment: 3 s at a year of data, which a new day of new
-- segments does not pay).
-- `not materialized`: segments are read only where a CTE filters them, never copied.
-- depends_on: {{ ref('stg_raw__ingested_files') }} (read by incremental builds only)
-- depends_on: {{ ref('stg_raw__quality_scores') }} (read by incremental builds only)
{%- if is_incremental() -%}
    {%- set last_loaded_at = built_watermark('last_loaded_at') -%}
{%- endif %}
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
        where {{ built_segments_changed_since(last_loaded_at) }}
        group by segments.day
    ),

    changed_days as (
        {{ changed_days('current_days', 'built_days') }}
        union
        select distinct segments.day
        from segments
        where segments.loaded_at > {{ last_loaded_at }}
    ),
{% endif %}

final as (
    select {{ daily_cell_counts('segments') }}
    from segments
    {% if is_incremental() %}
        -- An array, not `in (select ...)`: the planner then reads the changed days through the
        -- index on day instead of hashing them against every segment.
        where segments.day = any(array(select changed_days.day from changed_days))
    {% endif %}
    group by {{ daily_cell_keys('segments') }}
)

select * from final
