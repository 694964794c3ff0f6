-- Surfaced patterns not resolved (emerging, active or inactive) per severity, and when the
-- newest of each severity was first detected: a resolved pattern no longer costs failures; an
-- inactive one still warns in the configuration check.
select
    failure_patterns.severity,
    count(*) as pattern_count,
    max(failure_patterns.first_detected_at) as last_detected_at
from marts.failure_patterns
where failure_patterns.status is distinct from 'resolved'
group by failure_patterns.severity
