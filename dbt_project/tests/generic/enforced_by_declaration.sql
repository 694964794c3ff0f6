{#- Passes when the table itself declares the rule on the column: a primary key or unique index
    on exactly that column (`unique`), `not null` (`not_null`). Then PostgreSQL refuses every row
    that would break it, and a data test would only re-read every row of a table that grows with
    the history (`unique` on `raw.quality_scores.score_id` took 12 s of a new day's build after
    5.1M check rows, more than all the models of the day). As a model-level test, `columns` names
    several columns: a unique index on exactly those, each `not null`. The table is the model's
    own (a unique index in its `indexes` config), or the source a staging view passes the column
    through from unchanged (`source_name`, `table_name`), or the model a view passes it through
    from unchanged (`model_name`). Fails, one row per missing rule, when the declaration is gone:
    then the rule is no longer guaranteed and this test says which one. -#}
{% test enforced_by_declaration(
    model, rules, column_name=none, columns=none, source_name=none, table_name=none,
    model_name=none
) %}
    {%- if source_name -%}
        {%- set relation = source(source_name, table_name) -%}
    {%- elif model_name -%}
        {%- set relation = ref(model_name) -%}
    {%- else -%}
        {%- set relation = model -%}
    {%- endif -%}
    {%- set key = columns if columns else [column_name] -%}
    {%- set known = ['unique', 'not_null'] -%}
    {%- for rule in rules if rule not in known -%}
        {{ exceptions.raise_compiler_error(
            "enforced_by_declaration: unknown rule '" ~ rule ~ "' (known: " ~ known | join(', ') ~ ")"
        ) }}
    {%- endfor %}
    with key_columns as (
        select
            attribute.attrelid as table_oid,
            attribute.attnum as column_number,
            attribute.attnotnull as is_not_null
        from pg_catalog.pg_attribute as attribute
        where
            attribute.attrelid
            = to_regclass('{{ adapter.quote(relation.schema) }}.{{ adapter.quote(relation.identifier) }}')
            and attribute.attname in ({% for c in key %}'{{ c }}'{% if not loop.last %}, {% endif %}{% endfor %})
            and not attribute.attisdropped
    ),

    declared as (
        select
            'unique' as rule,
            exists (
                select 1
                from pg_catalog.pg_index as idx
                where
                    idx.indrelid = (select min(key_columns.table_oid) from key_columns)
                    and idx.indisunique
                    and idx.indpred is null
                    and idx.indnatts = {{ key | length }}
                    and (
                        select count(*)
                        from key_columns
                        where key_columns.column_number = any(idx.indkey::int2 [])
                    ) = {{ key | length }}
            ) as is_declared
        union all
        select
            'not_null' as rule,
            count(*) = {{ key | length }} and coalesce(bool_and(key_columns.is_not_null), false)
                as is_declared
        from key_columns
    )

    select declared.rule
    from declared
    where
        declared.rule in ({% for rule in rules %}'{{ rule }}'{% if not loop.last %}, {% endif %}{% endfor %})
        and not declared.is_declared
{% endtest %}
