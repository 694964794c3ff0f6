-- One row per period and pipeline phase: how many runs reached the phase, how many errors it
-- raised, how many runs failed in it, and whether its failure rate is above the flag threshold.
-- A succeeded run reached every phase; a failed run every phase up to the one it failed in;
-- cancelled runs and failed runs without a known phase are left out (where they stopped is
-- unknown).
with runs as (
    select * from {{ ref('stg_raw__runs') }}
),

run_errors as (
    select * from {{ ref('run_errors') }}
),

periods as (
    select * from {{ ref('int_run_days_periods_mapped') }}
),

listed_phases as (
    select
        listed.phase,
        listed.phase_order::integer as phase_order
    from unnest(
        array[
            {%- for phase in var('pipeline_phases') %}'{{ phase }}'{{ ', ' if not loop.last }}
            {%- endfor -%}
        ]::text[]
    ) with ordinality as listed (phase, phase_order)
),

seen_phases as (
    select distinct
        run_errors.phase,
        run_errors.phase_order
    from run_errors
    where run_errors.phase is not null
),

phases as (
    select
        listed_phases.phase,
        listed_phases.phase_order
    from listed_phases
    union
    select
        seen_phases.phase,
        seen_phases.phase_order
    from seen_phases
),

failed_phases as (
    -- The phase a failed run failed in: its fatal error's, else its latest phase error's.
    select distinct on (run_errors.run_id)
        run_errors.run_id,
        run_errors.phase,
        run_errors.phase_order,
        run_errors.category
    from run_errors
    where run_errors.run_status = 'failed' and run_errors.phase is not null
    order by run_errors.run_id asc, run_errors.is_fatal desc, run_errors.phase_order desc
),

run_outcomes as (
    select
        runs.run_id,
        runs.status,
        (runs.started_at at time zone 'UTC')::date as day,
        failed_phases.phase as failed_phase,
        failed_phases.phase_order as failed_phase_order
    from runs
    left join failed_phases
        on runs.run_id = failed_phases.run_id
    where runs.status = 'succeeded' or failed_phases.phase is not null
),

-- Counted per day first: each day then joins its few periods, not each run.
day_outcome_counts as (
    select
        run_outcomes.day,
        run_outcomes.status,
        run_outcomes.failed_phase_order,
        count(*) as run_count
    from run_outcomes
    group by run_outcomes.day, run_outcomes.status, run_outcomes.failed_phase_order
),

outcome_counts as (
    select
        periods.period_key,
        day_outcome_counts.status,
        day_outcome_counts.failed_phase_order,
        sum(day_outcome_counts.run_count)::bigint as run_count
    from day_outcome_counts
    inner join periods
        on day_outcome_counts.day = periods.day
    group by
        periods.period_key, day_outcome_counts.status, day_outcome_counts.failed_phase_order
),

period_list as (
    select distinct
        periods.period_key,
        periods.period_grain,
        periods.period_start,
        periods.period_end
    from periods
),

reached as (
    select
        period_list.period_key,
        phases.phase,
        coalesce(
            sum(outcome_counts.run_count) filter (
                where outcome_counts.status = 'succeeded'
                or outcome_counts.failed_phase_order >= phases.phase_order
            ),
            0
        )::bigint as run_reached_count,
        coalesce(
            sum(outcome_counts.run_count) filter (
                where outcome_counts.failed_phase_order = phases.phase_order
            ),
            0
        )::bigint as failed_run_count
    from period_list
    cross join phases
    left join outcome_counts
        on period_list.period_key = outcome_counts.period_key
    group by period_list.period_key, phases.phase
),

phase_errors as (
    select
        periods.period_key,
        run_errors.phase,
        count(*) as error_count,
        count(distinct run_errors.run_id) as run_with_error_count,
        count(*) filter (where run_errors.is_recovery_succeeded) as recovered_error_count,
        mode() within group (order by run_errors.category)
        filter (where run_errors.is_fatal) as top_fatal_category
    from run_errors
    inner join periods
        on run_errors.started_on = periods.day
    where run_errors.phase is not null
    group by periods.period_key, run_errors.phase
),

final as (
    select
        period_list.period_key || '|' || phases.phase as breakdown_key,
        period_list.period_key,
        period_list.period_grain,
        period_list.period_start,
        period_list.period_end,
        phases.phase,
        phases.phase_order,
        reached.run_reached_count,
        coalesce(phase_errors.error_count, 0) as error_count,
        coalesce(phase_errors.run_with_error_count, 0) as run_with_error_count,
        coalesce(phase_errors.recovered_error_count, 0) as recovered_error_count,
        reached.failed_run_count,
        (reached.failed_run_count::double precision / nullif(reached.run_reached_count, 0))
            as failure_rate,
        coalesce(
            reached.failed_run_count::double precision / nullif(reached.run_reached_count, 0)
            > {{ var('phase_failure_flag') }},
            false
        ) as is_flagged,
        {{ var('phase_failure_flag') }}::double precision as flag_threshold,
        phase_errors.top_fatal_category
    from period_list
    cross join phases
    inner join reached
        on
            period_list.period_key = reached.period_key
            and phases.phase = reached.phase
    left join phase_errors
        on
            period_list.period_key = phase_errors.period_key
            and phases.phase = phase_errors.phase
)

select * from final
