{#- Bucket label of a segment position from var('segment_position_buckets') (sorted lower
    bounds). [1, 4, 6] gives '1-3', '4-5', '6+'; a one-wide bucket is labelled by its number. -#}
{% macro segment_position_bucket(column) -%}
    {%- set bounds = var('segment_position_buckets') | map('int') | sort -%}
    case
    {%- for index in range(bounds | length) | reverse %}
        {%- set lower = bounds[index] %}
        {%- if loop.first %}
            {%- set label = lower ~ '+' %}
        {%- else %}
            {%- set upper = bounds[index + 1] - 1 %}
            {%- set label = lower if upper == lower else lower ~ '-' ~ upper %}
        {%- endif %}
        when {{ column }} >= {{ lower }} then '{{ label }}'
    {%- endfor %}
        else '<{{ bounds[0] }}'
    end
{%- endmacro %}
