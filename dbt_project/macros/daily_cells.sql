{#- The per-day cube's row of segments (int_daily_cells_aggregated): the select list and the
    group-by keys over a relation of int_segments_outcomes_derived's rows. Written once, because
    int_cells_aggregated adds the segments loaded since to the cells built by counting them the
    same way: its sums must equal the cube's. The position is the segment's bucket. -#}
{% macro _daily_cell_key_columns() -%}
    {{ return(
        ['day', 'workflow', 'model', 'lora', 'character', 'scene_type', 'segment_position_bucket']
    ) }}
{%- endmacro %}

{% macro daily_cell_counts(segments) -%}
    {%- for column in _daily_cell_key_columns() %}
    {{ segments }}.{{ column }}{{ ' as segment_position' if column == 'segment_position_bucket' }},
    {%- endfor %}
    count(*) as segment_count,
    count(*) filter (where {{ segments }}.is_failed) as failure_count,
    max({{ segments }}.loaded_at) as last_loaded_at
{%- endmacro %}

{% macro daily_cell_keys(segments) -%}
    {%- for column in _daily_cell_key_columns() %}
    {{ segments }}.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
