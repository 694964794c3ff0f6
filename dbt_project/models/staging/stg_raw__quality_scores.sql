with source as (
    select * from {{ source('raw', 'quality_scores') }}
),

renamed as (
    select
        score_id,
        evaluated_at,
        job_id,
        scene_id,
        segment_id,
        segment_position,
        workflow,
        workflow_version,
        model,
        model_version,
        -- An absent LoRA or character is a value of its own for pattern mining.
        coalesce(lora, 'none') as lora,
        coalesce(character, 'none') as character,
        scene_type,
        check_name,
        score,
        threshold,
        passed,
        failure_reason,
        creator,
        project,
        file_id,
        loaded_at
    from source
)

select * from renamed
