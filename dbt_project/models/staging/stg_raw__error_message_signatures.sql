with source as (
    select * from {{ source('raw', 'error_message_signatures') }}
),

renamed as (
    select
        message,
        signature_id,
        template as signature_template,
        candidate_pattern,
        grouped_at
    from source
)

select * from renamed
