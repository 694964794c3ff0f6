-- Combinations that are not made of 1 to 3 dimensions (null dimension columns = not part of it).
with batch as (
    select * from {batch}
)

select $dimension_columns
from batch
where num_nonnulls($dimension_columns) not between 1 and 3
