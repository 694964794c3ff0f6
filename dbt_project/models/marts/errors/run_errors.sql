-- One row per run error (each phase error of any run, and the failure reason of a failed run
-- when no phase error carries it): its catalog category or its signature, what to do about it,
-- and whether the run recovered from it.
with run_errors as (
    select * from {{ ref('int_run_errors_extracted') }}
),

messages as (
    select * from {{ ref('int_error_messages_classified') }}
),

catalog as (
    select * from {{ ref('error_catalog') }}
),

runs as (
    select * from {{ ref('stg_raw__runs') }}
),

final as (
    select
        run_errors.run_error_id,
        run_errors.run_id,
        run_errors.phase,
        run_errors.phase_order,
        run_errors.error_source,
        run_errors.message,
        run_errors.is_fatal,
        messages.category,
        messages.match_type,
        messages.pattern_id,
        messages.confidence::double precision as confidence,
        messages.signature_id,
        messages.signature_template,
        catalog.severity,
        catalog.is_retryable,
        catalog.recovery_mode,
        runs.is_recovery_attempted,
        case
            when not runs.is_recovery_attempted then null
            when run_errors.is_fatal then false
            when runs.status = 'cancelled' then null
            else true
        end as is_recovery_succeeded,
        runs.status as run_status,
        runs.started_at,
        (runs.started_at at time zone 'UTC')::date as started_on,
        runs.workflow,
        runs.workflow_version,
        runs.model,
        runs.model_version,
        runs.lora,
        runs.character,
        runs.scene_type,
        runs.tenant,
        runs.error_code
    from run_errors
    inner join runs
        on run_errors.run_id = runs.run_id
    left join messages
        on run_errors.message = messages.message
    left join catalog
        on messages.category = catalog.category
)

select * from final
