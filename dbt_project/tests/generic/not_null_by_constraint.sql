{#- Passes when the model's own check constraint `constraint_name` (validated) says each of
    `columns` is not null on every row but those matching `exempt`, and no exempt row is left.
    For a model that must write rows with nulls for a moment (the segment model's stand-ins,
    deleted by its post-hook): `not null` cannot be declared on its columns, and
    `not_null_columns` re-read the whole table at every refresh (7.4M segments at a year of data:
    1.1-2.6 s of a new day's build). PostgreSQL checks the constraint on every row written; this
    test reads the catalog and counts the exempt rows (through an index on them, if the model
    has one). Fails, one row per problem, when the constraint is gone, is not validated, no
    longer names a column, or exempt rows remain. -#}
{% test not_null_by_constraint(model, columns, constraint_name, exempt) %}
    with declared as (
        select pg_catalog.pg_get_constraintdef(con.oid) as definition
        from pg_catalog.pg_constraint as con
        where
            con.conrelid
            = to_regclass('{{ adapter.quote(model.schema) }}.{{ adapter.quote(model.identifier) }}')
            and con.conname = '{{ constraint_name }}'
            and con.contype = 'c'
            and con.convalidated
    ),

    problems as (
        select 'no validated check constraint {{ constraint_name }}' as problem
        where not exists (select from declared)
        {%- for column in columns %}
            union all
            select '{{ column }} is not declared not null by {{ constraint_name }}' as problem
            from declared
            where
                position(
                    '(' || quote_ident('{{ column }}') || ' IS NOT NULL)' in declared.definition
                ) = 0
        {%- endfor %}
        union all
        select count(*) || ' rows exempt from {{ constraint_name }} are left' as problem
        from {{ model }}
        where {{ exempt }}
        having count(*) > 0
    )

    select problems.problem from problems
{% endtest %}
