-- Rows whose recovery succeeded although none was attempted.
with batch as (
    select * from {batch}
)

select
    batch.$key_column,
    batch.recovery_attempted,
    batch.recovery_succeeded
from batch
where batch.recovery_succeeded and not coalesce(batch.recovery_attempted, false)
order by batch.$key_column
