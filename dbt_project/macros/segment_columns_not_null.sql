{#- The segment model's not-null rule as a check expression: every column the patterns, trends
    and heatmaps group by is not null, except on the stand-in rows (check_count 0) an incremental
    build writes for segments left with no check and its post-hook deletes. The model's test
    (`not_null_by_constraint`) fails when the constraint stops naming one of the columns its
    YAML lists. -#}
{% macro segment_columns_not_null() -%}
    {%- set columns = [
        'segment_id', 'job_id', 'workflow', 'model', 'lora', 'character', 'scene_type',
        'segment_position_bucket', 'day', 'is_failed'
    ] -%}
    check_count = 0 or (
        {%- for column in columns -%}
            {{ adapter.quote(column) }} is not null{% if not loop.last %} and {% endif %}
        {%- endfor -%}
    )
{%- endmacro %}
