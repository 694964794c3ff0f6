-- Every combination's counts and statistics are in range: failures within segments, rates,
-- p- and q-values in [0, 1], the rate inside its Wilson interval, significance only if tested.
select combinations.*
from {{ ref('combination_failure_rates') }} as combinations
where
    combinations.failure_count > combinations.total_count
    or combinations.failure_count < 0
    or combinations.failure_rate not between 0 and 1
    or combinations.baseline_rate not between 0 and 1
    or combinations.failure_rate < combinations.failure_rate_lower - 1e-12
    or combinations.failure_rate > combinations.failure_rate_upper + 1e-12
    or combinations.p_value not between 0 and 1
    or combinations.q_value not between 0 and 1
    or combinations.q_value < combinations.p_value - 1e-12
    or (combinations.is_significant and not combinations.is_tested)
    or combinations.dimension_count not between 1 and 3
