-- Rows stamped more than an hour ahead of the database clock.
with batch as (
    select * from {batch}
)

select
    batch.$key_column,
    batch.$time_column
from batch
where batch.$time_column > now() + interval '1 hour'
order by batch.$time_column desc
