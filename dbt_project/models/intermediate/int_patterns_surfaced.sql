-- Every pattern surfacing now, in the columns of int_pattern_candidates_evaluated: the
-- whole-history patterns (verdict `surfaced`) and the patterns only a recent window shows
-- (int_window_patterns_surfaced, with their window's counts and rates; the other columns of
-- the whole-history rules are null). The marts read the pattern list from here.
{%- set window_values = {
    'pattern_key': 'window_patterns.pattern_key',
    'dimension_count': 'window_patterns.dimension_count',
    'total_count': 'window_patterns.total_count',
    'failure_count': 'window_patterns.failure_count',
    'failure_rate': 'window_patterns.failure_rate',
    'baseline_rate': 'window_patterns.baseline_rate',
    'risk_ratio': 'window_patterns.risk_ratio',
    'failure_rate_lower': wilson_lower(
        'window_patterns.failure_count', 'window_patterns.total_count', 'interval.z'),
    'failure_rate_upper': wilson_upper(
        'window_patterns.failure_count', 'window_patterns.total_count', 'interval.z'),
    'excess_failure_count': 'window_patterns.failure_count'
        ~ ' - window_patterns.total_count * coalesce(window_patterns.baseline_rate, 0)',
    'p_value': 'window_patterns.p_value',
    'q_value': 'window_patterns.q_value',
    'ln_p_value': 'ln(greatest(window_patterns.p_value, 1e-300))',
    'alias_group': 'combinations.alias_group',
    'verdict': "'surfaced'",
} %}
{%- for dimension in pattern_dimensions() %}
    {%- do window_values.update(
        {'dimension_' ~ dimension: 'window_patterns.dimension_' ~ dimension}) %}
{%- endfor %}
{%- set evaluated_columns = adapter.get_columns_in_relation(
    ref('int_pattern_candidates_evaluated')) if execute else [] %}

with evaluated as (
    select * from {{ ref('int_pattern_candidates_evaluated') }}
),

window_patterns as (
    select * from {{ ref('int_window_patterns_surfaced') }}
),

combinations as (
    select * from {{ ref('int_combinations_tested') }}
),

interval as (
    select {{ normal_quantile(1 - (1 - var('confidence_level')) / 2) }} as z
),

-- window_starts_on: the first day of a window-only pattern's window (its counts, and its
-- drill-down in pattern_occurrences, cover the days from then on); null for the others.
final as (
    select
        evaluated.*,
        null::date as window_starts_on
    from evaluated
    where evaluated.verdict = 'surfaced'
    {%- if evaluated_columns %}
        union all
        select
            {%- for column in evaluated_columns %}
                ({{ window_values.get(column.name, 'null') }})::{{ column.data_type }}
                    as {{ column.name }},
            {%- endfor %}
            window_patterns.window_starts_on
        from window_patterns
        inner join combinations
            on window_patterns.pattern_key = combinations.combination_key
        cross join interval
    {%- endif %}
)

select * from final
