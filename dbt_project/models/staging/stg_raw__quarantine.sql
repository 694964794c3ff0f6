with source as (
    select * from {{ source('raw', 'quarantine') }}
),

renamed as (
    select
        quarantine_id,
        file_id,
        file_name,
        line_number,
        raw_row,
        reason,
        quarantined_at
    from source
)

select * from renamed
