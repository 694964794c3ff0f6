-- More than $max_share of all rows ever delivered were quarantined.
with batch as (
    select * from {batch}
)

select
    batch.rows_loaded_count,
    batch.rows_quarantined_count
from batch
where batch.rows_quarantined_count > $max_share * (batch.rows_loaded_count + batch.rows_quarantined_count)
