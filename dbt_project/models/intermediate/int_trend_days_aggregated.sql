{{
    config(
        materialized='incremental',
        unique_key='day',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['day']}, {'columns': ['dimension', 'dimension_value', 'day']}],
    )
}}

-- The daily series of trend tracking: one row per day and value of each of the six dimensions,
-- plus dimension `overall` (value `all`: every segment), with segment and failure counts.
-- Summed from the pattern engine's per-day cube, so segments are read once. Incremental by day:
-- a refresh re-sums the days of the segments loaded since the newest load built (through the
-- segment model's index on loaded_at; the watermark is a literal, see `built_watermark`), as
-- the cube itself finds the days it rebuilds. Only when a file loaded since replaced checks
-- loaded before (the ledger's `rows_replaced`), or a check loaded since joined a segment built
-- before (`built_segments_changed_since`), can a day have changed without a newer load;
-- then every day's totals in the cube are compared with the series `overall` built (a read of
-- the whole cube, which a new day no longer pays: 0.2 s of 377k cube rows at 90 days).
-- depends_on: {{ ref('int_segments_outcomes_derived') }} (read by incremental builds only)
-- depends_on: {{ ref('stg_raw__ingested_files') }} (read by incremental builds only)
-- depends_on: {{ ref('stg_raw__quality_scores') }} (read by incremental builds only)
{%- if is_incremental() -%}
    {%- set last_loaded_at = built_watermark('last_loaded_at') -%}
{%- endif %}
-- `not materialized`: the cube is read only where a CTE filters it, never copied.
with cells as not materialized (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

{% if is_incremental() %}
    segments as not materialized (
        select * from {{ ref('int_segments_outcomes_derived') }}
    ),

    built as (
        select * from {{ this }}
    ),

    -- Series `overall` holds each day's totals (one row a day).
    built_days as (
        {{ day_totals('built', 'total_count', "built.dimension = 'overall'") }}
    ),

    cell_days as (
        {{ day_totals('cells', where=built_segments_changed_since(last_loaded_at)) }}
    ),

    changed_days as (
        {{ changed_days('cell_days', 'built_days') }}
        union
        select distinct segments.day
        from segments
        where segments.loaded_at > {{ last_loaded_at }}
    ),
{% endif %}

changed_cells as (
    select cells.*
    from cells
    {% if is_incremental() %}
        -- An array, not `in (select ...)`: the changed days are read through the cube's index
        -- on day instead of hashing them against every cell of every day.
        where cells.day = any(array(select changed_days.day from changed_days))
    {% endif %}
),

series_days as (
    {{ select_series_days('changed_cells') }}
),

final as (
    select
        series_days.day,
        series_days.dimension,
        series_days.dimension_value,
        series_days.total_count,
        series_days.failure_count,
        series_days.last_loaded_at
    from series_days
)

select * from final
