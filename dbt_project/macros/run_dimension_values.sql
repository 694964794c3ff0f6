{#-
    A run's dimension values as rows `dimension (name, value)`, for `cross join` after a relation
    with a column named after each dimension (stg_raw__runs, run_errors). The run dimensions are
    the pattern dimensions (var `pattern_dimensions`) but segment_position, which belongs to a
    segment, not to a run. A null value is a row too: callers drop it where they need to.
-#}
{% macro run_dimension_values(relation) %}
    lateral (
        values
        {%- for dimension in pattern_dimensions() if dimension != 'segment_position' %}
        ('{{ dimension }}', {{ relation }}.{{ dimension }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as dimension (name, value)
{% endmacro %}

{#- The names of those dimensions as a list of SQL string literals ('workflow', 'model', ...),
    in the fixed order or, with `sorted`, alphabetically. -#}
{% macro run_dimension_names(sorted=false) -%}
    {%- set names = [] -%}
    {%- for dimension in pattern_dimensions() if dimension != 'segment_position' -%}
        {%- do names.append("'" ~ dimension ~ "'") -%}
    {%- endfor -%}
    {%- if sorted -%}
        {%- set names = names | sort -%}
    {%- endif -%}
    {{- return(names | join(', ')) -}}
{%- endmacro %}
