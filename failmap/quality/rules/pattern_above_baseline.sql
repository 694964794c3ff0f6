-- Surfaced failure patterns that do not fail more often than their baseline.
with batch as (
    select * from {batch}
)

select
    batch.pattern_key,
    batch.failure_rate,
    batch.baseline_rate
from batch
where batch.failure_rate <= batch.baseline_rate
order by batch.pattern_key
