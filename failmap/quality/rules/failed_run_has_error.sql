-- Failed runs that carry no error at all (no error_code, failure_reason or phase_errors).
with batch as (
    select * from {batch}
)

select
    batch.run_id,
    batch.started_at
from batch
where
    batch.status = 'failed'
    and batch.error_code is null
    and batch.failure_reason is null
    and batch.phase_errors is null
order by batch.run_id
