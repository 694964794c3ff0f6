-- Segments and failures of the full configurations among %(keys)s that are in the data
-- (predictions.configuration_rates, by primary key).
select
    configuration_rates.configuration_key,
    configuration_rates.total_count,
    configuration_rates.failure_count
from predictions.configuration_rates
where configuration_rates.configuration_key = any(%(keys)s)
