-- One row per period (each day, ISO week and month with runs, and `all`): runs, failures,
-- errors, recoveries, how much of it the catalog explains, the top categories of failures and
-- the phase with the highest failure rate. Summed from the per-day counts of runs and errors
-- (each day joins its few periods), never from every run.
with run_days as (
    select * from {{ ref('int_run_days_aggregated') }}
),

error_days as (
    select * from {{ ref('int_run_error_days_aggregated') }}
),

periods as (
    select * from {{ ref('int_run_days_periods_mapped') }}
),

phase_breakdown as (
    select * from {{ ref('phase_error_breakdown') }}
),

run_totals as (
    select
        periods.period_key,
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        sum(run_days.run_count)::bigint as run_count,
        {{ filtered_sum('run_days.run_count', "run_days.status = 'succeeded'") }}
            as succeeded_run_count,
        {{ filtered_sum('run_days.run_count', "run_days.status = 'failed'") }}
            as failed_run_count,
        {{ filtered_sum('run_days.run_count', "run_days.status = 'cancelled'") }}
            as cancelled_run_count,
        {{ filtered_sum('run_days.run_count', 'run_days.is_recovery_attempted') }}
            as recovery_attempted_run_count,
        {{ filtered_sum(
            'run_days.run_count',
            "run_days.is_recovery_attempted and run_days.status = 'succeeded'"
        ) }} as recovery_succeeded_run_count
    from run_days
    inner join periods
        on run_days.day = periods.day
    group by periods.period_key, periods.period_grain, periods.period_start, periods.period_end
),

-- A signature seen on several days is counted once per period: distinct over the day rows.
error_totals as (
    select
        periods.period_key,
        sum(error_days.error_count)::bigint as error_count,
        {{ filtered_sum('error_days.error_count', "error_days.match_type = 'catalog'") }}
            as classified_error_count,
        {{ filtered_sum('error_days.error_count', "error_days.match_type = 'signature'") }}
            as unknown_error_count,
        sum(error_days.recovered_error_count)::bigint as recovered_error_count,
        count(distinct error_days.signature_id) as signature_count
    from error_days
    inner join periods
        on error_days.day = periods.day
    group by periods.period_key
),

-- A failed run has exactly one fatal error: fatal errors count failed runs.
category_failures as (
    select
        periods.period_key,
        error_days.category,
        sum(error_days.fatal_error_count)::bigint as failed_run_count,
        row_number() over (
            partition by periods.period_key
            order by sum(error_days.fatal_error_count) desc, error_days.category asc
        ) as category_rank
    from error_days
    inner join periods
        on error_days.day = periods.day
    where error_days.fatal_error_count > 0
    group by periods.period_key, error_days.category
),

top_categories as (
    select
        category_failures.period_key,
        string_agg(
            category_failures.category || ' (' || category_failures.failed_run_count || ')',
            ', '
            order by category_failures.category_rank
        ) as top_categories,
        min(category_failures.category) filter (
            where category_failures.category_rank = 1
        ) as top_category,
        min(category_failures.failed_run_count) filter (
            where category_failures.category_rank = 1
        ) as top_category_failed_run_count
    from category_failures
    where category_failures.category_rank <= {{ var('error_summary_top_categories') }}
    group by category_failures.period_key
),

worst_phases as (
    select distinct on (phase_breakdown.period_key)
        phase_breakdown.period_key,
        phase_breakdown.phase,
        phase_breakdown.failure_rate,
        phase_breakdown.failed_run_count
    from phase_breakdown
    where phase_breakdown.failed_run_count > 0
    order by
        phase_breakdown.period_key asc,
        phase_breakdown.failure_rate desc,
        phase_breakdown.phase_order asc,
        phase_breakdown.phase asc
),

final as (
    select
        run_totals.period_key,
        run_totals.period_grain,
        run_totals.period_start,
        run_totals.period_end,
        run_totals.run_count,
        run_totals.succeeded_run_count,
        run_totals.failed_run_count,
        run_totals.cancelled_run_count,
        run_totals.failed_run_count::double precision / run_totals.run_count as failure_rate,
        coalesce(error_totals.error_count, 0) as error_count,
        coalesce(error_totals.classified_error_count, 0) as classified_error_count,
        coalesce(error_totals.unknown_error_count, 0) as unknown_error_count,
        error_totals.classified_error_count::double precision
        / nullif(error_totals.error_count, 0) as catalog_match_rate,
        coalesce(error_totals.signature_count, 0) as signature_count,
        coalesce(error_totals.recovered_error_count, 0) as recovered_error_count,
        run_totals.recovery_attempted_run_count,
        run_totals.recovery_succeeded_run_count,
        run_totals.recovery_succeeded_run_count::double precision
        / nullif(run_totals.recovery_attempted_run_count, 0) as recovery_success_rate,
        top_categories.top_categories,
        top_categories.top_category,
        coalesce(top_categories.top_category_failed_run_count, 0)
            as top_category_failed_run_count,
        worst_phases.phase as most_problematic_phase,
        worst_phases.failure_rate as most_problematic_phase_failure_rate,
        coalesce(worst_phases.failed_run_count, 0) as most_problematic_phase_failed_run_count
    from run_totals
    left join error_totals
        on run_totals.period_key = error_totals.period_key
    left join top_categories
        on run_totals.period_key = top_categories.period_key
    left join worst_phases
        on run_totals.period_key = worst_phases.period_key
)

select * from final
