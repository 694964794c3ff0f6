with source as (
    select * from {{ source('raw', 'ingested_files') }}
),

renamed as (
    select
        file_id,
        file_name,
        file_kind,
        file_format,
        sha256,
        size_bytes,
        status,
        reason,
        rows_in_file,
        rows_loaded,
        rows_superseded,
        rows_quarantined,
        rows_replaced,
        loaded_at,
        duration_ms
    from source
)

select * from renamed
