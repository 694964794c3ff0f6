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
