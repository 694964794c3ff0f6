-- Series-days flagged as a regression and an improvement at once.
with batch as (
    select * from {batch}
)

select
    batch.day,
    batch.dimension,
    batch.dimension_value
from batch
where batch.regression_flag and batch.improvement_flag
order by batch.day desc
