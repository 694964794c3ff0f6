-- Every combination of 1 to 3 dimensions in every recent window (int_window_cells_aggregated)
-- tested twice:
--   "fails more than the rest": one-sided Fisher test against the window's other segments,
--       with Benjamini-Hochberg q-values that count every test the engine makes (the window
--       tests and the whole-history tests of int_combinations_tested), so the windows do not
--       loosen the false discovery control;
--   "fails more than it used to": one-sided Fisher test of the window against the same
--       combination's days before the window (its share of its own failures), computed for
--       the candidates in int_window_patterns_surfaced.
-- Only alias-group representatives of the whole history are kept (aliases share their
-- segments, hence their tests). See docs/patterns.md, "Time".
with window_cells as (
    select * from {{ ref('int_window_cells_aggregated') }}
),

combinations as (
    select * from {{ ref('int_combinations_tested') }}
),

{%- for window_days in var('pattern_window_days') %}

    window_cells_{{ window_days }} as (
        select window_cells.*
        from window_cells
        where window_cells.window_days = {{ window_days }}
    ),

    window_combinations_{{ window_days }} as (
        {{ select_combinations('window_cells_' ~ window_days, pattern_dimension_sets(3)) }}
    ),
{%- endfor %}

window_combinations as (
    {%- for window_days in var('pattern_window_days') %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            {{ window_days }} as window_days,
            {{ combination_key('window_combinations_' ~ window_days) }} as combination_key,
            window_combinations_{{ window_days }}.total_count,
            window_combinations_{{ window_days }}.failure_count
        from window_combinations_{{ window_days }}
    {%- endfor %}
),

window_totals as (
    select
        window_cells.window_days,
        sum(window_cells.segment_count)::bigint as segment_count,
        sum(window_cells.failure_count)::bigint as failure_count
    from window_cells
    group by window_cells.window_days
),

rated as (
    select
        window_combinations.window_days || ':' || window_combinations.combination_key
            as window_combination_key,
        window_combinations.window_days,
        window_combinations.combination_key,
        {{ dimension_columns('combinations') }},
        combinations.dimension_count,
        window_combinations.total_count,
        window_combinations.failure_count,
        window_combinations.failure_count::double precision
        / window_combinations.total_count as failure_rate,
        (window_totals.failure_count - window_combinations.failure_count)::double precision
        / nullif(window_totals.segment_count - window_combinations.total_count, 0)
            as baseline_rate,
        combinations.total_count - window_combinations.total_count as earlier_total_count,
        combinations.failure_count - window_combinations.failure_count
            as earlier_failure_count,
        window_totals.segment_count as window_segment_count,
        window_totals.failure_count as window_failure_count,
        -- One-sided: at or below the count expected if failing were unrelated to it, the
        -- tail is at least about 1/2 and can never be significant; 1 spares the exact sum
        -- (most of the window's cost) and changes no BH decision.
        case
            when
                window_combinations.failure_count * window_totals.segment_count
                > window_combinations.total_count * window_totals.failure_count
                then {{ hypergeometric_sf(
                    'window_combinations.failure_count',
                    'window_combinations.total_count',
                    'window_totals.failure_count',
                    'window_totals.segment_count'
                ) }}
            else 1.0
        end as p_value,
        combinations.total_count as all_total_count,
        combinations.failure_count as all_failure_count,
        window_combinations.total_count >= {{ var('min_support') }}
        and window_combinations.total_count < window_totals.segment_count
        and combinations.combination_key = combinations.representative_key as is_tested
    from window_combinations
    inner join window_totals
        on window_combinations.window_days = window_totals.window_days
    inner join combinations
        on window_combinations.combination_key = combinations.combination_key
),

-- Every test the engine makes: the windows' and the whole history's.
window_test_counts as (
    select count(*) filter (where rated.is_tested) as tested_count
    from rated
),

history_test_counts as (
    select count(*) filter (where combinations.is_tested) as tested_count
    from combinations
),

test_counts as (
    select window_test_counts.tested_count + history_test_counts.tested_count as tested_count
    from window_test_counts
    cross join history_test_counts
),

tested as (
    select
        rated.window_combination_key,
        case when rated.is_tested then rated.p_value end as tested_p_value
    from rated
),

q_values as (
    {{ benjamini_hochberg(
        'tested', 'tested_p_value', 'window_combination_key',
        tested_count='(select test_counts.tested_count from test_counts)'
    ) }}
),

final as (
    select
        rated.*,
        rated.failure_rate / nullif(rated.baseline_rate, 0) as risk_ratio,
        rated.earlier_failure_count::double precision
        / nullif(rated.earlier_total_count, 0) as earlier_failure_rate,
        q_values.q_value,
        coalesce(q_values.q_value <= {{ var('fdr') }}, false) as is_significant
    from rated
    inner join q_values
        on rated.window_combination_key = q_values.window_combination_key
)

select * from final
