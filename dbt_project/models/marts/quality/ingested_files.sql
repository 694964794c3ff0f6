-- The ingest ledger as the app reads it: one row per distinct file content seen in the inbox.
with files as (
    select * from {{ ref('stg_raw__ingested_files') }}
),

final as (
    select
        files.file_id,
        files.file_name,
        files.file_kind,
        files.file_format,
        files.status,
        files.reason,
        files.rows_in_file,
        files.rows_loaded,
        files.rows_superseded,
        files.rows_quarantined,
        files.loaded_at
    from files
)

select * from final
