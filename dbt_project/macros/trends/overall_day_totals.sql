{#- Every segment per day (day, segment_count, failure_count): the series `overall` of
    `trend_days` (int_trend_days_aggregated, already summed from the per-day cube), the rest
    a pattern's daily series is set against. -#}
{% macro overall_day_totals(trend_days) -%}
    select
        {{ trend_days }}.day,
        {{ trend_days }}.total_count::bigint as segment_count,
        {{ trend_days }}.failure_count::bigint as failure_count
    from {{ trend_days }}
    where {{ trend_days }}.dimension = 'overall'
{%- endmacro %}
