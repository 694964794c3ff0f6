{{
    config(
        materialized='incremental',
        unique_key='day',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        indexes=[
            {
                'columns': ['x_dimension', 'y_dimension', 'day', 'x_value', 'y_value'],
                'unique': true,
            },
            {'columns': ['day']},
        ],
        post_hook=[
            "{{ unique_index(
                this, ['x_dimension', 'y_dimension', 'day', 'x_value', 'y_value']
            ) }}",
            "{{ create_failure_heatmap_for_period_function(this) }}",
        ],
    )
}}
-- depends_on: {{ ref('failure_heatmap') }}

-- The heatmap per day: every pair of dimensions and their values (x before y in the fixed
-- dimension order, like failure_heatmap) with the day's segments and failed segments. A heatmap
-- over any period is a sum of these rows; the post-hook creates the function that computes it
-- with failure_heatmap's shrunk rate (macros/heatmap/failure_heatmap_for_period.sql), which also
-- reads failure_heatmap for the pattern flags, hence the dependency above.
-- Incremental by day: a refresh recomputes only the days the per-day cube rebuilt (other
-- totals or a newer loaded_at).
with all_daily_cells as not materialized (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

{% if is_incremental() %}
    cell_days as (
        {{ day_totals('all_daily_cells') }}
    ),

    {% if built_has_column('last_loaded_at') %}
        built as (
            select * from {{ this }}
        ),

        -- Each pair of dimensions holds all of a day's segments: one pair gives its totals.
        built_days as (
            {{ day_totals(
                'built', 'total_count',
                "built.x_dimension = 'workflow' and built.y_dimension = 'model'"
            ) }}
        ),

        changed_days as (
            {{ changed_days('cell_days', 'built_days') }}
        ),
    {% else %}
        -- A table built before last_loaded_at was kept: every day is recomputed.
        changed_days as (
            select cell_days.day from cell_days
        ),
    {% endif %}

    -- Made once, read by every pair below.
    daily_cells as materialized (
        select all_daily_cells.*
        from all_daily_cells
        where all_daily_cells.day = any(array(select changed_days.day from changed_days))
    ),
{% else %}
    daily_cells as (
        select * from all_daily_cells
    ),
{% endif %}

pairs as (
    {%- for x_dimension, y_dimension in pattern_dimension_sets(2, 2) %}
        {%- if not loop.first %}

            union all
        {% endif %}
        select
            daily_cells.day,
            '{{ x_dimension }}'::text as x_dimension,
            daily_cells.{{ x_dimension }} as x_value,
            '{{ y_dimension }}'::text as y_dimension,
            daily_cells.{{ y_dimension }} as y_value,
            sum(daily_cells.segment_count)::bigint as total_count,
            sum(daily_cells.failure_count)::bigint as failure_count,
            max(daily_cells.last_loaded_at) as last_loaded_at
        from daily_cells
        group by
            daily_cells.day,
            daily_cells.{{ x_dimension }},
            daily_cells.{{ y_dimension }}
    {%- endfor %}
),

final as (
    select
        pairs.day,
        pairs.x_dimension,
        pairs.x_value,
        pairs.y_dimension,
        pairs.y_value,
        pairs.total_count,
        pairs.failure_count,
        pairs.last_loaded_at
    from pairs
)

select * from final
