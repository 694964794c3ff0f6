{#- A post-hook statement: give `relation` a partial index over its stand-in rows
    (`check_count = 0`) unless it has one, so that deleting them reads that index, empty or
    nearly so, instead of every built row (7.3M segments at a year of data). dbt's `indexes`
    config takes no predicate. The index is unnamed: a full refresh runs its post-hooks while the
    table it replaces still exists under a backup name with its own indexes, so a fixed name
    could be taken and `if not exists` would then skip the new table. -#}
{% macro index_stand_ins(relation) -%}
    do $index_stand_ins$
    begin
        if not exists (
            select
            from pg_catalog.pg_index
            where
                indrelid = '{{ relation }}'::regclass
                and pg_catalog.pg_get_expr(indpred, indrelid) = '(check_count = 0)'
        ) then
            create index on {{ relation }} (segment_id) where check_count = 0;
        end if;
    end
    $index_stand_ins$
{%- endmacro %}
