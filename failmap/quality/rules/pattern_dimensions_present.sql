-- Surfaced patterns whose dimension columns do not match their key: every `dim=value` part of
-- pattern_key needs its dimension_<dim> column filled, and there is at least one.
with batch as (
    select * from {batch}
),

counted as (
    select
        batch.pattern_key,
        $dimension_columns,
        num_nonnulls($dimension_columns) as dimension_count
    from batch
)

select counted.*
from counted
where
    counted.dimension_count = 0
    or counted.dimension_count <> cardinality(string_to_array(counted.pattern_key, '|'))
order by counted.pattern_key
