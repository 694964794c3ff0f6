-- Runs that finished before they started.
with batch as (
    select * from {batch}
)

select
    batch.run_id,
    batch.started_at,
    batch.finished_at
from batch
where batch.finished_at < batch.started_at
order by batch.run_id
