-- Rows quarantined from the files loaded in [%(start_at)s, %(end_at)s) (the ingest ledger's
-- own counts).
select coalesce(sum(ingested_files.rows_quarantined), 0)::bigint as rows_quarantined
from marts.ingested_files
where
    ingested_files.loaded_at >= %(start_at)s
    and ingested_files.loaded_at < %(end_at)s
