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
-- Incremental by day: a refresh counts again only the days whose runs changed, and every day
-- when var `pipeline_phases` changed (the phase a run failed in is its latest in that order).
-- When no runs file loaded since the newest loaded_at built replaced a run of an earlier file
-- (the ledger's rows_replaced), the runs loaded since are new: they are counted and added to
-- the built counts of their days (the runs are read once, not every run of those days, which
-- would mean reading them all: raw.runs has no index by day). Otherwise a
-- re-delivered run may have left a day: every day's totals (runs, failed runs, newest
-- loaded_at) are compared with those built, and a built day left with no run comes out as a
-- stand-in row with a null run_count (delete+insert replaces its rows with it and the
-- post-hook deletes it). The watermark, the ledger's answer and the phases built are asked
-- before the build, so that the query holds literals PostgreSQL estimates from its
-- statistics. `--full-refresh` rebuilds everything.
-- depends_on: {{ ref('stg_raw__ingested_files') }} (read by incremental builds only)
{%- set phases = var('pipeline_phases') | join(',') -%}
{%- set last_loaded_at = "'-infinity'" -%}
{%- set is_every_day = true -%}
{%- set is_replaced = true -%}
{%- if execute and is_incremental() -%}
    {%- set watermark_query -%}
        with watermark as (
            select
                coalesce(max(built.last_loaded_at), '-infinity') as last_loaded_at,
                coalesce(bool_or(built.pipeline_phases != '{{ phases }}'), false)
                    as is_phases_changed
            from {{ this }} as built
        )

        select
            watermark.last_loaded_at::text,
            watermark.is_phases_changed,
            {{ rows_replaced_since('runs', 'watermark.last_loaded_at') }}
        from watermark
    {%- endset -%}
    {%- set watermark = run_query(watermark_query).rows[0] -%}
    {%- set last_loaded_at = "'" ~ watermark[0] ~ "'" -%}
    {%- set is_every_day = watermark[1] -%}
    {%- set is_replaced = watermark[2] -%}
{%- endif %}
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

    {% if is_replaced or is_every_day %}
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
    {% endif %}

    {% if is_every_day or is_replaced %}
        changed_days as (
            {% if is_every_day %}
                select current_days.day
                from current_days
            {% else %}
                {{ changed_days('current_days', 'built_days') }}
            {% endif %}
        ),

        runs as (
            select all_runs.*
            from all_runs
            where all_runs.day in (select changed_days.day from changed_days)
        ),

        day_run_errors as (
            select run_errors.*
            from run_errors
            where run_errors.started_on in (select changed_days.day from changed_days)
        ),
    {% else %}
        runs as (
            select all_runs.*
            from all_runs
            where all_runs.loaded_at > {{ last_loaded_at }}::timestamptz
        ),

        changed_days as (
            select distinct runs.day
            from runs
        ),

        day_run_errors as (
            select run_errors.*
            from run_errors
            where run_errors.run_id in (select runs.run_id from runs)
        ),
    {% endif %}
{% else %}
    runs as (
        select * from all_runs
    ),

    day_run_errors as (
        select * from run_errors
    ),
{% endif %}

failed_phases as (
    select distinct on (day_run_errors.run_id)
        day_run_errors.run_id,
        day_run_errors.phase,
        day_run_errors.phase_order
    from day_run_errors
    where day_run_errors.run_status = 'failed' and day_run_errors.phase is not null
    order by
        day_run_errors.run_id asc,
        day_run_errors.is_fatal desc,
        day_run_errors.phase_order desc,
        day_run_errors.phase desc
),

counted as (
    select
        runs.day,
        runs.status,
        runs.is_recovery_attempted,
        failed_phases.phase as failed_phase,
        failed_phases.phase_order as failed_phase_order,
        count(*) as run_count,
        max(runs.loaded_at) as last_loaded_at
    from runs
    left join failed_phases
        on runs.run_id = failed_phases.run_id
    group by
        runs.day,
        runs.status,
        runs.is_recovery_attempted,
        failed_phases.phase,
        failed_phases.phase_order
),

{% if is_incremental() and not (is_replaced or is_every_day) %}
    -- The new runs' counts added to those built for their days.
    added as (
        select
            counted.day,
            counted.status,
            counted.is_recovery_attempted,
            counted.failed_phase,
            counted.failed_phase_order,
            counted.run_count,
            counted.last_loaded_at
        from counted
        union all
        select
            built.day,
            built.status,
            built.is_recovery_attempted,
            built.failed_phase,
            built.failed_phase_order,
            built.run_count,
            built.last_loaded_at
        from built
        where built.day in (select changed_days.day from changed_days)
    ),

    outcomes as (
        select
            added.day,
            added.status,
            added.is_recovery_attempted,
            added.failed_phase,
            added.failed_phase_order,
            sum(added.run_count)::bigint as run_count,
            max(added.last_loaded_at) as last_loaded_at
        from added
        group by
            added.day,
            added.status,
            added.is_recovery_attempted,
            added.failed_phase,
            added.failed_phase_order
    ),
{% else %}
    outcomes as (
        select * from counted
    ),
{% endif %}

final as (
    select
        outcomes.day,
        outcomes.status,
        outcomes.is_recovery_attempted,
        outcomes.failed_phase,
        outcomes.failed_phase_order,
        outcomes.run_count,
        outcomes.last_loaded_at,
        '{{ phases }}' as pipeline_phases
    from outcomes
    {% if is_incremental() and (is_replaced or is_every_day) %}
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
