-- Counts of the combinations (1 to 3 dimensions) among %(keys)s that are in the data, all
-- segments, those on current days and those outside every pattern (predictions.background_rates,
-- by primary key).
select
    background_rates.combination_key,
    background_rates.total_count,
    background_rates.failure_count,
    background_rates.current_total_count,
    background_rates.current_failure_count,
    background_rates.background_total_count,
    background_rates.background_failure_count
from predictions.background_rates
where background_rates.combination_key = any(%(keys)s)
