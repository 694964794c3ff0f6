-- One pattern's daily failure rate against the rest of the data on the days
-- [%(start)s, %(end)s] (marts.daily_pattern_rates), oldest first: its sparkline.
select
    daily_pattern_rates.day,
    daily_pattern_rates.segment_count,
    daily_pattern_rates.failure_count,
    daily_pattern_rates.failure_count::float8
    / daily_pattern_rates.segment_count as failure_rate,
    daily_pattern_rates.rest_failure_count::float8
    / nullif(daily_pattern_rates.rest_segment_count, 0) as rest_failure_rate
from marts.daily_pattern_rates
where
    daily_pattern_rates.pattern_key = %(key)s::text
    and daily_pattern_rates.day between %(start)s and %(end)s
order by daily_pattern_rates.day
