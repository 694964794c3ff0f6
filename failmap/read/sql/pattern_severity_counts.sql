-- Surfaced patterns per severity, and when the newest of each severity was first detected.
select
    failure_patterns.severity,
    count(*) as pattern_count,
    max(failure_patterns.first_detected_at) as last_detected_at
from marts.failure_patterns
group by failure_patterns.severity
