{#-
    Position of a phase in the pipeline, from the var `pipeline_phases` (1 = first phase).
    Phases not listed get the position after the last listed one (order among them: by name,
    where the caller needs one). Null stays null.
-#}
{% macro pipeline_phase_order(phase_expression) %}
    {%- set phases = var('pipeline_phases') -%}
    case
        when {{ phase_expression }} is null then null
        else coalesce(
            array_position(
                array[
                    {%- for phase in phases %}'{{ phase }}'{{ ', ' if not loop.last }}{% endfor -%}
                ]::text[],
                {{ phase_expression }}
            ),
            {{ phases | length + 1 }}
        )
    end
{% endmacro %}
