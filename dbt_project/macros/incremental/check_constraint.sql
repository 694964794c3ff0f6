{#- A post-hook statement: give `relation` the check constraint `name` (`expression`) unless it
    has a constraint of that name. dbt's contract creates constraints only when it creates the
    table: a post-hook also gives an existing home's table the constraint (adding it checks every
    row once). Constraint names are per table, so a fixed name is free on a full refresh's new
    table while the old one still exists under a backup name. -#}
{% macro check_constraint(relation, name, expression) -%}
    do $check_constraint$
    begin
        if not exists (
            select
            from pg_catalog.pg_constraint
            where conrelid = '{{ relation }}'::regclass and conname = '{{ name }}'
        ) then
            alter table {{ relation }} add constraint {{ name }} check ({{ expression }});
        end if;
    end
    $check_constraint$
{%- endmacro %}
