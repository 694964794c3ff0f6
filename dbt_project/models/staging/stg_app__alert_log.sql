with source as (
    select * from {{ source('app', 'alert_log') }}
),

renamed as (
    select
        alert_id,
        checked_at,
        configuration,
        configuration ->> 'workflow' as workflow,
        configuration ->> 'model' as model,
        coalesce(nullif(configuration ->> 'lora', ''), 'none') as lora,
        coalesce(nullif(configuration ->> 'character', ''), 'none') as character,
        configuration ->> 'scene_type' as scene_type,
        severity,
        predicted_failure_rate,
        matched_pattern_keys,
        source
    from source
)

select * from renamed
