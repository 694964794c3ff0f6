{#- The days an incremental per-day model must recompute: the days of `current_days` that
    `built_days` lacks, or has with other totals or an older load. Both relations have the
    columns day, total_count, failure_count, last_loaded_at (built_days: as the model was last
    built; current_days: as its input has them now). Comparing totals, not only loaded_at, also
    catches a re-delivered segment that moved from one day to another. -#}
{% macro changed_days(current_days, built_days) -%}
    select {{ current_days }}.day
    from {{ current_days }}
    left join {{ built_days }}
        on {{ current_days }}.day = {{ built_days }}.day
    where
        {{ built_days }}.day is null
        or {{ current_days }}.total_count != {{ built_days }}.total_count
        or {{ current_days }}.failure_count != {{ built_days }}.failure_count
        or {{ current_days }}.last_loaded_at > {{ built_days }}.last_loaded_at
{%- endmacro %}

{#- A per-day relation's totals per day, in the shape `changed_days` compares: day,
    total_count (the sum of `count_column`), failure_count, last_loaded_at, over the rows that
    `where` keeps (all when none). The per-day cube's totals and each per-day model's own, as
    last built, are read with it. -#}
{% macro day_totals(relation, count_column='segment_count', where=none) -%}
    select
        {{ relation }}.day,
        sum({{ relation }}.{{ count_column }}) as total_count,
        sum({{ relation }}.failure_count) as failure_count,
        max({{ relation }}.last_loaded_at) as last_loaded_at
    from {{ relation }}
    {% if where is not none -%}
        where {{ where }}
    {% endif -%}
    group by {{ relation }}.day
{%- endmacro %}
