{{
    config(
        materialized='incremental',
        unique_key='day',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['day']}],
        post_hook="delete from {{ this }} where run_count is null",
    )
}}

-- One row per UTC day and run outcome: the runs of the day by status, recovery attempt and,
-- for a failed run, the phase it failed in (its fatal error's, else its latest phase error's).
-- The error marts sum these rows over periods instead of reading every run.
--
-- Incremental by day: a refresh counts again only the days whose runs changed: a day with
-- other totals (runs, failed runs) or a newer loaded_at than built (a new or re-delivered run,
-- one moved to another day), every day when var `pipeline_phases` changed (the phase a run
-- failed in is its latest in that order). A built day left with no run comes out as a
-- stand-in row with a null run_count: delete+insert replaces its rows with it and the
-- post-hook deletes it. `--full-refresh` rebuilds everything.
with all_runs as not materialized (
    select
        runs.*,
        (runs.started_at at time zone 'UTC')::date as day
    from {{ ref('stg_raw__runs') }} as runs
),

run_errors as not materialized (
    select * from {{ ref('run_errors') }}
),

{% if is_incremental() %}
    built as not materialized (
        select * from {{ this }}
    ),

    current_days as (
        select
            all_runs.day,
            count(*) as total_count,
            count(*) filter (where all_runs.status = 'failed') as failure_count,
            max(all_runs.loaded_at) as last_loaded_at
        from all_runs
        group by all_runs.day
    ),

    built_days as (
        select
            built.day,
            sum(built.run_count) as total_count,
            sum(built.run_count) filter (where built.status = 'failed') as failure_count,
            max(built.last_loaded_at) as last_loaded_at
        from built
        group by built.day
    ),

    -- A table built before the phases were kept counts as built with other phases.
    phases_changed as (
        {% if built_has_column('pipeline_phases') %}
            select
                coalesce(
                    bool_or(built.pipeline_phases != '{{ var("pipeline_phases") | join(",") }}'),
                    false
                ) as is_changed
            from built
        {% else %}
            select true as is_changed
        {% endif %}
    ),

    changed_days as (
        {{ changed_days('current_days', 'built_days') }}
        union
        select current_days.day
        from current_days
        where (select phases_changed.is_changed from phases_changed)
    ),

    runs as (
        select all_runs.*
        from all_runs
        where all_runs.day in (select changed_days.day from changed_days)
    ),
{% else %}
    runs as (
        select * from all_runs
    ),
{% endif %}

failed_phases as (
    select distinct on (run_errors.run_id)
        run_errors.run_id,
        run_errors.phase,
        run_errors.phase_order
    from run_errors
    where
        run_errors.run_status = 'failed'
        and run_errors.phase is not null
        {% if is_incremental() -%}
            and run_errors.started_on in (select changed_days.day from changed_days)
        {%- endif %}
    order by
        run_errors.run_id asc,
        run_errors.is_fatal desc,
        run_errors.phase_order desc,
        run_errors.phase desc
),

final as (
    select
        runs.day,
        runs.status,
        runs.is_recovery_attempted,
        failed_phases.phase as failed_phase,
        failed_phases.phase_order as failed_phase_order,
        count(*) as run_count,
        max(runs.loaded_at) as last_loaded_at,
        '{{ var("pipeline_phases") | join(",") }}' as pipeline_phases
    from runs
    left join failed_phases
        on runs.run_id = failed_phases.run_id
    group by
        runs.day,
        runs.status,
        runs.is_recovery_attempted,
        failed_phases.phase,
        failed_phases.phase_order
    {% if is_incremental() %}
        union all
        -- Stand-ins for built days left with no run (deleted by the post-hook).
        select
            built_days.day,
            null::text as status,
            null::boolean as is_recovery_attempted,
            null::text as failed_phase,
            null::integer as failed_phase_order,
            null::bigint as run_count,
            null::timestamptz as last_loaded_at,
            null::text as pipeline_phases
        from built_days
        where not exists (
            select
            from current_days
            where current_days.day = built_days.day
        )
    {% endif %}
)

select * from final
