-- Current patterns (emerging or active) per severity, and when the newest of each severity was
-- first detected: what fails now, and what an alert on high-severity patterns should page for.
-- A resolved pattern no longer costs failures; an inactive one has had no segments lately (it
-- still warns in the configuration check, but nothing generates it to page anyone about).
select
    failure_patterns.severity,
    count(*) as pattern_count,
    max(failure_patterns.first_detected_at) as last_detected_at
from marts.failure_patterns
where failure_patterns.status in ('emerging', 'active')
group by failure_patterns.severity
