{#- A post-hook statement: give `relation` a unique index on exactly `columns` (in that order)
    unless it has a unique index, without a predicate, on exactly those columns. Then PostgreSQL
    refuses a second row with the same key as it is written, and the `enforced_by_declaration`
    test checks the declaration instead of a `unique` test reading every row of a table that
    grows with the history each refresh (0.2-0.7 s a test at a year). dbt's `indexes` config
    creates indexes only when it creates the table; this also gives an existing home's table the
    index (building it checks every row once). Unnamed, for the reason in partial_index. -#}
{% macro unique_index(relation, columns) -%}
    do $unique_index$
    begin
        if not exists (
            select
            from pg_catalog.pg_index as idx
            where
                idx.indrelid = '{{ relation }}'::regclass
                and idx.indisunique
                and idx.indpred is null
                and idx.indnatts = {{ columns | length }}
                and (
                    select count(*)
                    from pg_catalog.pg_attribute as attribute
                    where
                        attribute.attrelid = idx.indrelid
                        and attribute.attnum = any(idx.indkey::int2 [])
                        and attribute.attname in (
                            {%- for column in columns %}'{{ column }}'{% if not loop.last %}, {% endif %}{% endfor -%}
                        )
                ) = {{ columns | length }}
        ) then
            create unique index on {{ relation }} ({{ columns | join(', ') }});
        end if;
    end
    $unique_index$
{%- endmacro %}
