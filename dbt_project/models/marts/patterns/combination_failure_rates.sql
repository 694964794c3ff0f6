-- Every combination of 1, 2 and 3 dimensions with their values, with its failure rate against
-- the segments outside it and the significance columns. Analysts' view of everything the
-- pattern engine tested; failure_patterns holds what surfaced.
with combinations as (
    select * from {{ ref('int_combinations_tested') }}
),

candidates as (
    select * from {{ ref('int_pattern_candidates_evaluated') }}
),

surfaced as (
    select
        candidates.alias_group,
        candidates.pattern_key
    from candidates
    where candidates.verdict = 'surfaced'
),

final as (
    select
        combinations.combination_key,
        {{ dimension_columns('combinations') }},
        combinations.dimension_count::integer as dimension_count,
        combinations.total_count,
        combinations.failure_count,
        combinations.failure_rate,
        combinations.baseline_rate,
        combinations.risk_ratio,
        combinations.failure_rate_lower,
        combinations.failure_rate_upper,
        combinations.excess_failure_count,
        combinations.p_value,
        combinations.q_value,
        combinations.is_tested,
        combinations.is_significant,
        combinations.representative_key,
        surfaced.pattern_key
    from combinations
    left join surfaced
        on combinations.alias_group = surfaced.alias_group
)

select * from final
