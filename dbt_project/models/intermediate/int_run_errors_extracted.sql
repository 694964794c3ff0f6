{{
    config(
        materialized='incremental',
        unique_key='run_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['run_id']}],
        post_hook=[
            "delete from {{ this }} where run_error_id is null",
            "{{ unique_index(this, ['run_error_id']) }}",
        ],
    )
}}

-- One row per run error: each phase_errors entry of any run (recovered errors of succeeded runs
-- included), plus the failure_reason of a failed run when none of its phase errors carries it.
-- Marks the fatal error of each failed run: its failure_reason, else the phase error equal to
-- it, else its latest phase error in pipeline order.
--
-- Incremental by run: a run's errors depend on that run's row only, so a refresh extracts only
-- the runs loaded since the newest load built (ingest stamps every row it writes, new or
-- re-delivered, with its file's load time; runs are never deleted from raw). A re-delivered
-- run left with no error comes out as a stand-in row with a null run_error_id: delete+insert
-- replaces its built rows with it and the post-hook deletes it. When var `pipeline_phases`
-- gives a built phase another position, every run is extracted again. `--full-refresh`
-- rebuilds everything.
with all_runs as not materialized (
    select * from {{ ref('stg_raw__runs') }}
),

{% if is_incremental() %}
    built as not materialized (
        select * from {{ this }}
    ),

    built_phases as (
        select distinct
            built.phase,
            built.phase_order
        from built
    ),

    phases_moved as (
        select
            coalesce(
                bool_or(
                    built_phases.phase_order
                    is distinct from {{ pipeline_phase_order('built_phases.phase') }}
                ),
                false
            ) as is_moved
        from built_phases
    ),

    -- A table built before loaded_at was kept has no watermark: every run is extracted.
    watermark as (
        {% if built_has_column('loaded_at') %}
            select
                case
                    when (select phases_moved.is_moved from phases_moved)
                        then '-infinity'::timestamptz
                    else coalesce(max(built.loaded_at), '-infinity')
                end as last_loaded_at
            from built
        {% else %}
            select '-infinity'::timestamptz as last_loaded_at
        {% endif %}
    ),

    runs as (
        select all_runs.*
        from all_runs
        where all_runs.loaded_at > (select watermark.last_loaded_at from watermark)
    ),
{% else %}
    runs as (
        select * from all_runs
    ),
{% endif %}

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
        runs.loaded_at,
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
        ranked.is_failed and ranked.fatal_rank = 1 as is_fatal,
        ranked.loaded_at
    from ranked
    {% if is_incremental() %}
        union all
        -- Stand-ins for built runs left with no error (deleted by the post-hook).
        select
            null::text as run_error_id,
            runs.run_id,
            null::text as phase,
            null::integer as phase_order,
            null::text as message,
            null::text as error_source,
            null::boolean as is_fatal,
            runs.loaded_at
        from runs
        where
            exists (
                select
                from built
                where built.run_id = runs.run_id
            )
            and not exists (
                select
                from ranked
                where ranked.run_id = runs.run_id
            )
    {% endif %}
)

select * from final
