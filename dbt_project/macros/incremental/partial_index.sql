{#- A post-hook statement: give `relation` an index on `column` over the rows `predicate` keeps
    unless it has one with that predicate. dbt's `indexes` config takes no predicate, and creates
    indexes only when it creates the table: a post-hook also gives an existing home's table the
    index. `deparsed` is the predicate as PostgreSQL prints it back (`pg_get_expr`), which the
    check compares. The index is unnamed: a full refresh runs its post-hooks while the table it
    replaces still exists under a backup name with its own indexes, so a fixed name could be taken
    and `if not exists` would then skip the new table. With `unique`, a unique index: PostgreSQL
    then refuses two rows with the same `column` among those `predicate` keeps. -#}
{% macro partial_index(relation, column, predicate, deparsed, unique=false) -%}
    do $partial_index$
    begin
        if not exists (
            select
            from pg_catalog.pg_index
            where
                indrelid = '{{ relation }}'::regclass
                and pg_catalog.pg_get_expr(indpred, indrelid) = '{{ deparsed }}'
                and indisunique = {{ 'true' if unique else 'false' }}
        ) then
            create {{ 'unique ' if unique }}index on {{ relation }} ({{ column }}) where {{ predicate }};
        end if;
    end
    $partial_index$
{%- endmacro %}
