{#- The per-day cube's row of segments (int_daily_cells_aggregated): the select list and the
    group-by keys over a relation of int_segments_outcomes_derived's rows. Written once, because
    int_cells_aggregated adds the segments loaded since to the cells built by counting them the
    same way: its sums must equal the cube's. -#}
{% macro daily_cell_counts(segments) -%}
    {{ segments }}.day,
    {{ segments }}.workflow,
    {{ segments }}.model,
    {{ segments }}.lora,
    {{ segments }}.character,
    {{ segments }}.scene_type,
    {{ segments }}.segment_position_bucket as segment_position,
    count(*) as segment_count,
    count(*) filter (where {{ segments }}.is_failed) as failure_count,
    max({{ segments }}.loaded_at) as last_loaded_at
{%- endmacro %}

{% macro daily_cell_keys(segments) -%}
    {{ segments }}.day,
    {{ segments }}.workflow,
    {{ segments }}.model,
    {{ segments }}.lora,
    {{ segments }}.character,
    {{ segments }}.scene_type,
    {{ segments }}.segment_position_bucket
{%- endmacro %}
