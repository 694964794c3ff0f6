{#- The segments and failures of a fix's pattern before it and after it, summed from rows of
    `days` (fix_effectiveness's fix_days: segment_count, failure_count, is_before, is_after).
    fix_effectiveness sums them three ways: all of the pattern, without one version change's
    workflow or model, and without every changed one. -#}
{% macro fix_window_counts(days) -%}
    {{ filtered_sum(days ~ '.segment_count', days ~ '.is_before') }} as before_total_count,
    {{ filtered_sum(days ~ '.failure_count', days ~ '.is_before') }} as before_failure_count,
    {{ filtered_sum(days ~ '.segment_count', days ~ '.is_after') }} as after_total_count,
    {{ filtered_sum(days ~ '.failure_count', days ~ '.is_after') }} as after_failure_count
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
