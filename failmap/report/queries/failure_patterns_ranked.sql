-- The pattern engine's surfaced patterns in its own order (impact_rank: most excess failures).
select
    failure_patterns.pattern_key,
    failure_patterns.description,
    failure_patterns.failure_count,
    failure_patterns.total_count,
    failure_patterns.failure_rate,
    failure_patterns.severity
from marts.failure_patterns
order by failure_patterns.impact_rank asc, failure_patterns.pattern_key asc
limit %(limit)s
