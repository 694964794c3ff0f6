-- Heatmap cells that pair a dimension with itself.
with batch as (
    select * from {batch}
)

select
    batch.x_dimension,
    batch.x_value,
    batch.y_dimension,
    batch.y_value
from batch
where batch.x_dimension = batch.y_dimension
