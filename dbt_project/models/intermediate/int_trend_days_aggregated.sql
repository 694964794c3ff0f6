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
-- a refresh re-sums only the days the cube rebuilt (other totals or a newer loaded_at).
with cells as (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

{% if is_incremental() %}
    built as (
        select * from {{ this }}
    ),

    -- Series `overall` holds each day's totals (one row a day).
    built_days as (
        {{ day_totals('built', 'total_count', "built.dimension = 'overall'") }}
    ),

    cell_days as (
        {{ day_totals('cells') }}
    ),

    changed_days as (
        {{ changed_days('cell_days', 'built_days') }}
    ),
{% endif %}

changed_cells as (
    select cells.*
    from cells
    {% if is_incremental() %}
        where cells.day in (select changed_days.day from changed_days)
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
