-- Files of the latest $file_kind delivery (ledgered within 15 minutes of the newest one) with
-- more than $max_share of their rows quarantined.
with files as (
    select *
    from raw.ingested_files
    where file_kind = '$file_kind' and status = 'loaded'
),

latest as (
    select max(files.loaded_at) as loaded_at from files
)

select
    files.file_name,
    files.rows_in_file,
    files.rows_quarantined,
    round(files.rows_quarantined::numeric / files.rows_in_file, 4) as quarantined_share
from files
cross join latest
where
    files.loaded_at > latest.loaded_at - interval '15 minutes'
    and files.rows_quarantined > $max_share * files.rows_in_file
order by files.file_name
