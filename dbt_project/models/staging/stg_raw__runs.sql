with source as (
    select * from {{ source('raw', 'runs') }}
),

renamed as (
    select
        run_id,
        started_at,
        finished_at,
        status,
        status = 'failed' as is_failed,
        workflow,
        workflow_version,
        model,
        model_version,
        lora,
        character,
        scene_type,
        tenant,
        error_code,
        failure_reason,
        phase_errors,
        coalesce(recovery_attempted, false) as is_recovery_attempted,
        coalesce(recovery_succeeded, false) as is_recovery_succeeded,
        step_index,
        context,
        file_id,
        loaded_at
    from source
)

select * from renamed
