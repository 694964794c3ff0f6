-- Version changes whose from and to versions are the same.
with batch as (
    select * from {batch}
)

select
    batch.dimension,
    batch.dimension_value,
    batch.from_version,
    batch.to_version,
    batch.changed_at
from batch
where batch.from_version = batch.to_version
