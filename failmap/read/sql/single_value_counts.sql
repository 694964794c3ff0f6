-- Segments per value of each dimension (the single-dimension rows of predictions.background_rates):
-- the catalog of values a configuration check knows.
select
    background_rates.dimension_set,
    background_rates.combination_key,
    background_rates.total_count
from predictions.background_rates
where background_rates.dimension_count = 1
order by background_rates.combination_key asc
