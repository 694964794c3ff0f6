{#- The newest `column` value of the model's built table, as a timestamptz literal
    ('-infinity' when it is empty): an incremental model's watermark. Fetched before the build
    and written into the query as a literal, so that PostgreSQL estimates "loaded since" from the
    statistics (a few rows) and reads them through an index; as a subquery's value it was
    estimated at a third of the table, and at a year of data the table was scanned whole. In a
    dbt unit test `this` names the given rows, which no query can ask: there it is a subquery. -#}
{% macro built_watermark(column='loaded_at') -%}
    {%- if this is string -%}
        {{- return("(select coalesce(max(" ~ column ~ "), '-infinity') from " ~ this ~ ")") -}}
    {%- endif -%}
    {%- set query -%}
        select coalesce(
            to_char(max({{ column }}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            '-infinity'
        )
        from {{ this }}
    {%- endset -%}
    {%- set newest = '-infinity' -%}
    {%- if execute -%}
        {%- set newest = run_query(query).columns[0].values()[0] -%}
    {%- endif -%}
    {{- return("'" ~ newest ~ "'::timestamptz") -}}
{%- endmacro %}
