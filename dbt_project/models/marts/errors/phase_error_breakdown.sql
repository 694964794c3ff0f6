-- One row per period and pipeline phase: how many runs reached the phase, how many errors it
-- raised, how many runs failed in it, and whether its failure rate is above the flag threshold.
-- A succeeded run reached every phase; a failed run every phase up to the one it failed in;
-- cancelled runs and failed runs without a known phase are left out (where they stopped is
-- unknown). Summed from the per-day counts of runs and errors (each day joins its few
-- periods), never from every run.
with run_days as (
    select * from {{ ref('int_run_days_aggregated') }}
),

error_days as (
    select * from {{ ref('int_run_error_days_aggregated') }}
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
        error_days.phase,
        {{ pipeline_phase_order('error_days.phase') }} as phase_order
    from error_days
    where error_days.phase is not null
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

-- Counted per day first: each day then joins its few periods, not each run.
day_outcome_counts as (
    select
        run_days.day,
        run_days.status,
        run_days.failed_phase_order,
        sum(run_days.run_count) as run_count
    from run_days
    where run_days.status = 'succeeded' or run_days.failed_phase is not null
    group by run_days.day, run_days.status, run_days.failed_phase_order
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

-- A run has at most one error per phase: the phase's errors are as many distinct runs.
phase_errors as (
    select
        periods.period_key,
        error_days.phase,
        sum(error_days.error_count)::bigint as error_count,
        sum(error_days.error_count)::bigint as run_with_error_count,
        sum(error_days.recovered_error_count)::bigint as recovered_error_count
    from error_days
    inner join periods
        on error_days.day = periods.day
    where error_days.phase is not null
    group by periods.period_key, error_days.phase
),

phase_category_failures as (
    select
        periods.period_key,
        error_days.phase,
        error_days.category,
        sum(error_days.fatal_error_count) as fatal_error_count
    from error_days
    inner join periods
        on error_days.day = periods.day
    where
        error_days.phase is not null
        and error_days.category is not null
        and error_days.fatal_error_count > 0
    group by periods.period_key, error_days.phase, error_days.category
),

-- The category of most fatal errors of the period's phase (ties: the first category by name,
-- as mode() gives).
top_fatal_categories as (
    select distinct on (phase_category_failures.period_key, phase_category_failures.phase)
        phase_category_failures.period_key,
        phase_category_failures.phase,
        phase_category_failures.category
    from phase_category_failures
    order by
        phase_category_failures.period_key asc,
        phase_category_failures.phase asc,
        phase_category_failures.fatal_error_count desc,
        phase_category_failures.category asc
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
        top_fatal_categories.category as top_fatal_category
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
    left join top_fatal_categories
        on
            period_list.period_key = top_fatal_categories.period_key
            and phases.phase = top_fatal_categories.phase
)

select * from final
