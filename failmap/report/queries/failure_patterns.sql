-- The pattern engine's surfaced patterns, most severe first.
select
    failure_patterns.pattern_key,
    failure_patterns.description,
    failure_patterns.failure_count,
    failure_patterns.total_count,
    failure_patterns.failure_rate,
    failure_patterns.severity
from marts.failure_patterns
order by
    case failure_patterns.severity when 'high' then 1 when 'medium' then 2 else 3 end,
    failure_patterns.failure_rate desc,
    failure_patterns.pattern_key asc
limit %(limit)s
