{#- Passes when the table itself declares the rule on the column: a single-column primary key or
    unique index (`unique`), `not null` (`not_null`). Then PostgreSQL refuses every row that would
    break it, and a data test would only re-read every row of a table that grows with the history
    (`unique` on `raw.quality_scores.score_id` took 12 s of a new day's build after 5.1M check
    rows, more than all the models of the day). The table is the model's own (a unique index in
    its `indexes` config), or the source a staging view passes the column through from unchanged
    (`source_name`, `table_name`). Fails, one row per missing rule, when the declaration is gone:
    then the rule is no longer guaranteed and this test says which one. -#}
{% test enforced_by_declaration(model, column_name, rules, source_name=none, table_name=none) %}
    {%- set relation = source(source_name, table_name) if source_name else model -%}
    {%- set known = ['unique', 'not_null'] -%}
    {%- for rule in rules if rule not in known -%}
        {{ exceptions.raise_compiler_error(
            "enforced_by_declaration: unknown rule '" ~ rule ~ "' (known: " ~ known | join(', ') ~ ")"
        ) }}
    {%- endfor %}
    with source_column as (
        select
            attribute.attrelid as table_oid,
            attribute.attnum as column_number,
            attribute.attnotnull as is_not_null
        from pg_catalog.pg_attribute as attribute
        where
            attribute.attrelid
            = to_regclass('{{ adapter.quote(relation.schema) }}.{{ adapter.quote(relation.identifier) }}')
            and attribute.attname = '{{ column_name }}'
            and not attribute.attisdropped
    ),

    declared as (
        select
            'unique' as rule,
            exists (
                select 1
                from pg_catalog.pg_index as idx
                inner join source_column
                    on
                        idx.indrelid = source_column.table_oid
                        and idx.indkey[0] = source_column.column_number
                where idx.indisunique and idx.indnkeyatts = 1 and idx.indpred is null
            ) as is_declared
        union all
        select
            'not_null' as rule,
            coalesce(bool_or(source_column.is_not_null), false) as is_declared
        from source_column
    )

    select declared.rule
    from declared
    where
        declared.rule in ({% for rule in rules %}'{{ rule }}'{% if not loop.last %}, {% endif %}{% endfor %})
        and not declared.is_declared
{% endtest %}
