with source as (
    select * from {{ source('app', 'pattern_fixes') }}
),

renamed as (
    select
        fix_id,
        pattern_key,
        fix_description,
        fix_parameters,
        effectiveness as reported_effectiveness,
        reported_by,
        created_at as fixed_at
    from source
)

select * from renamed
