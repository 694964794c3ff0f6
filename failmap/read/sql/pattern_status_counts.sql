-- Surfaced patterns per status (emerging, active, inactive, resolved).
select
    failure_patterns.status,
    count(*) as pattern_count
from marts.failure_patterns
group by failure_patterns.status
