{#- One-sided exact tests (Fisher's) of a failure rate against a reference: `x` failures in `n`
    segments (a run of days, or a new version) against `reference_x` in `reference_n`.
    `rate_increase_p_value`: P(X >= x) with X hypergeometric, the run's share of all failures of
    both if failing were unrelated to which one a segment belongs to: "does it fail more?".
    `rate_decrease_p_value`: the same for the passes, P(X <= x) computed as the upper tail of the
    passes so that tiny p-values keep their precision: "does it fail less?".
    Exact at any count (conditional on both totals), so valid for a day of a rare LoRA as for
    the overall series; discreteness makes them conservative, never anti-conservative. Built on
    `hypergeometric_sf` (macros/stats), tested against scipy.stats.fisher_exact in tests/dbt. -#}
{% macro rate_increase_p_value(x, n, reference_x, reference_n) -%}
    {{ hypergeometric_sf(
        x,
        n,
        '(' ~ x ~ ') + (' ~ reference_x ~ ')',
        '(' ~ n ~ ') + (' ~ reference_n ~ ')',
    ) }}
{%- endmacro %}

{% macro rate_decrease_p_value(x, n, reference_x, reference_n) -%}
    {{ hypergeometric_sf(
        '(' ~ n ~ ') - (' ~ x ~ ')',
        n,
        '(' ~ n ~ ') + (' ~ reference_n ~ ') - (' ~ x ~ ') - (' ~ reference_x ~ ')',
        '(' ~ n ~ ') + (' ~ reference_n ~ ')',
    ) }}
{%- endmacro %}

{#- True when a cell of the per-day cube (columns named after the six dimensions) belongs to a
    trend series (`<series>.dimension`, `<series>.dimension_value`; `overall` holds every cell). -#}
{% macro cell_in_series(cell, series) -%}
    (
        {{ series }}.dimension = 'overall'
        {%- for dimension in pattern_dimensions() %}
        or (
            {{ series }}.dimension = '{{ dimension }}'
            and {{ cell }}.{{ dimension }} = {{ series }}.dimension_value
        )
        {%- endfor %}
    )
{%- endmacro %}

{#- Bonferroni-adjusted p-value of a trend test: p times the day's family of tests (two
    directions x `trend_max_run_days` run lengths x the day's series), at most 1. -#}
{% macro trend_adjusted_p_value(p_value, series_count) -%}
    least(
        1.0::double precision,
        ({{ p_value }}) * {{ 2 * (var('trend_max_run_days') | int) }} * ({{ series_count }})
    )
{%- endmacro %}

{#- A select summing cells of the per-day cube (`<relation>` with `day`, the six dimension columns,
    segment_count, failure_count, last_loaded_at) into daily series: one row per day, `keys`
    (more columns to group by, e.g. a changed model) and dimension value, plus dimension
    `overall` (value `all`). Grouping sets, so the cells are read once. -#}
{% macro select_series_days(relation, keys=[]) -%}
    {%- set prefix = [relation ~ '.day'] -%}
    {%- for key in keys %}{% do prefix.append(relation ~ '.' ~ key) %}{% endfor -%}
select
    {{ prefix | join(',\n    ') }},
    case
        {%- for dimension in pattern_dimensions() %}
        when grouping({{ relation }}.{{ dimension }}) = 0 then '{{ dimension }}'
        {%- endfor %}
        else 'overall'
    end as dimension,
    coalesce(
        {%- for dimension in pattern_dimensions() %}
        {{ relation }}.{{ dimension }},
        {%- endfor %}
        'all'
    ) as dimension_value,
    sum({{ relation }}.segment_count)::bigint as total_count,
    sum({{ relation }}.failure_count)::bigint as failure_count,
    max({{ relation }}.last_loaded_at) as last_loaded_at
from {{ relation }}
group by grouping sets (
    ({{ prefix | join(', ') }}),
    {%- for dimension in pattern_dimensions() %}
    ({{ prefix | join(', ') }}, {{ relation }}.{{ dimension }}){% if not loop.last %},{% endif %}
    {%- endfor %}
)
{%- endmacro %}

{#- Two-sided exact test of the same: twice the smaller one-sided tail, at most 1. -#}
{% macro rate_change_p_value(x, n, reference_x, reference_n) -%}
    least(1.0::double precision, 2 * least(
        {{ rate_increase_p_value(x, n, reference_x, reference_n) }},
        {{ rate_decrease_p_value(x, n, reference_x, reference_n) }}
    ))
{%- endmacro %}
