-- The ingest ledger (marts.ingested_files): every file loaded or rejected in
-- [%(start_at)s, %(end_at)s), newest first.
select
    ingested_files.loaded_at,
    ingested_files.file_name,
    ingested_files.file_kind,
    ingested_files.file_format,
    ingested_files.status,
    ingested_files.rows_in_file,
    ingested_files.rows_loaded,
    ingested_files.rows_superseded,
    ingested_files.rows_quarantined,
    ingested_files.reason
from marts.ingested_files
where
    ingested_files.loaded_at >= %(start_at)s
    and ingested_files.loaded_at < %(end_at)s
order by ingested_files.loaded_at desc, ingested_files.file_id desc
