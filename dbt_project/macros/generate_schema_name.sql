{#- Schemas are exactly `staging` and `marts` (not dbt's default `<target>_<custom>`): the app,
    the API and analysts address tables by these names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
