-- Rows whose recovery succeeded although none was attempted.
with batch as (
    select * from {batch}
)

select
    batch.$key_column,
    batch.$attempted_column,
    batch.$succeeded_column
from batch
where batch.$succeeded_column and not coalesce(batch.$attempted_column, false)
order by batch.$key_column
