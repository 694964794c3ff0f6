{#- Fails with one row per column of `columns` that holds nulls, with how many: a model's
    `not null` rules, asked in one read of its rows. One `not_null` test per column read the
    table once per column and cost a dbt node and a Dagster asset check each: the 238 of them
    took 10.5 s of the threads of a new day's build at 5.1M check rows (the segment model's ten,
    1.7 s). A failure still names the column (`column_name`) and counts its nulls (`null_rows`).
    Columns whose rule has a `where` keep their own `not_null` test. -#}
{% test not_null_columns(model, columns) %}
    with null_counts as (
        select
            {%- for column in columns %}
                count(*) - count({{ adapter.quote(column) }}) as {{ adapter.quote('nulls_' ~ loop.index) }}
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ model }}
    )

    select
        counted.column_name,
        counted.null_rows
    from null_counts
    cross join lateral (
        values
        {%- for column in columns %}
            ('{{ column }}', null_counts.{{ adapter.quote('nulls_' ~ loop.index) }})
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    ) as counted (column_name, null_rows)
    where counted.null_rows > 0
{% endtest %}
