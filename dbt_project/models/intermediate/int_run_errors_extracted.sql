-- One row per run error: each phase_errors entry of any run (recovered errors of succeeded runs
-- included), plus the failure_reason of a failed run when none of its phase errors carries it.
-- Marks the fatal error of each failed run: its failure_reason, else the phase error equal to
-- it, else its latest phase error in pipeline order.
with runs as (
    select * from {{ ref('stg_raw__runs') }}
),

phase_errors as (
    select
        runs.run_id,
        phase_error.key as phase,
        coalesce(phase_error.value, '') as message,
        'phase_errors' as error_source
    from runs
    cross join lateral jsonb_each_text(runs.phase_errors) as phase_error
),

failure_reasons as (
    select
        runs.run_id,
        null::text as phase,
        coalesce(runs.failure_reason, '') as message,
        'failure_reason' as error_source
    from runs
    where
        runs.is_failed
        and not exists (
            select 1
            from phase_errors
            where
                phase_errors.run_id = runs.run_id
                and (runs.failure_reason is null or phase_errors.message = runs.failure_reason)
        )
),

run_errors as (
    select * from phase_errors
    union all
    select * from failure_reasons
),

ranked as (
    select
        run_errors.run_id,
        run_errors.phase,
        {{ pipeline_phase_order('run_errors.phase') }} as phase_order,
        run_errors.message,
        run_errors.error_source,
        runs.is_failed,
        row_number() over (
            partition by run_errors.run_id
            order by
                run_errors.error_source = 'failure_reason' desc,
                coalesce(run_errors.message = runs.failure_reason, false) desc,
                {{ pipeline_phase_order('run_errors.phase') }} desc nulls last,
                run_errors.phase desc
        ) as fatal_rank
    from run_errors
    inner join runs
        on run_errors.run_id = runs.run_id
),

final as (
    select
        ranked.run_id || '|' || coalesce(ranked.phase, '(failure_reason)') as run_error_id,
        ranked.run_id,
        ranked.phase,
        ranked.phase_order,
        ranked.message,
        ranked.error_source,
        ranked.is_failed and ranked.fatal_rank = 1 as is_fatal
    from ranked
)

select * from final
