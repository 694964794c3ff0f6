{#- Whether the incremental model being built already has `column` in its built table. A table
    built before the model kept that column (an older version of failmap) lacks it: the model
    then rebuilds every row it can in that run, and on_schema_change='append_new_columns' adds
    the column, so an upgraded home needs no `--full-refresh`. False when not incremental. -#}
{% macro built_has_column(column) -%}
    {%- if execute and is_incremental() -%}
        {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {{ return(column in names) }}
    {%- else -%}
        {{ return(false) }}
    {%- endif -%}
{%- endmacro %}
