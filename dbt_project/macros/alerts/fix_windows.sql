{#- The segments and failures of a fix's pattern before it and after it, summed from rows of
    `days` (fix_effectiveness's fix_days: segment_count, failure_count, is_before, and the
    `after` flag: is_after, or is_held for the days before its pattern rose again).
    fix_effectiveness sums them four ways: all of the pattern, without one version change's
    workflow or model, without every changed one, and up to a return. -#}
{% macro fix_window_counts(days, after='is_after') -%}
    {{ filtered_sum(days ~ '.segment_count', days ~ '.is_before') }} as before_total_count,
    {{ filtered_sum(days ~ '.failure_count', days ~ '.is_before') }} as before_failure_count,
    {{ filtered_sum(days ~ '.segment_count', days ~ '.' ~ after) }} as after_total_count,
    {{ filtered_sum(days ~ '.failure_count', days ~ '.' ~ after) }} as after_failure_count
{%- endmacro %}

{#- One-sided exact test (Fisher, hypergeometric) that a fix's pattern fails less after it than
    before, on the four counts of `windows` (a relation with fix_window_counts' columns). -#}
{% macro fix_fall_p_value(windows) -%}
    {{ hypergeometric_sf(
        windows ~ '.before_failure_count',
        windows ~ '.before_total_count',
        windows ~ '.before_failure_count + ' ~ windows ~ '.after_failure_count',
        windows ~ '.before_total_count + ' ~ windows ~ '.after_total_count'
    ) }}
{%- endmacro %}
