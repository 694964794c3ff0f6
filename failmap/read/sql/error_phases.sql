-- The phase breakdown of the period: the daily rows of marts.phase_error_breakdown summed per
-- phase, the rate recomputed from the sums and flagged against the mart's threshold.
with days as (
    select phase_error_breakdown.*
    from marts.phase_error_breakdown
    where
        phase_error_breakdown.period_grain = 'day'
        and phase_error_breakdown.period_start between %(start)s and %(end)s
),

summed as (
    select
        days.phase,
        min(days.phase_order) as phase_order,
        sum(days.run_reached_count)::bigint as run_reached_count,
        sum(days.error_count)::bigint as error_count,
        sum(days.recovered_error_count)::bigint as recovered_error_count,
        sum(days.failed_run_count)::bigint as failed_run_count,
        max(days.flag_threshold) as flag_threshold
    from days
    group by days.phase
)

select
    summed.*,
    summed.failed_run_count::double precision / nullif(summed.run_reached_count, 0)
        as failure_rate,
    coalesce(
        summed.failed_run_count::double precision / nullif(summed.run_reached_count, 0)
        > summed.flag_threshold,
        false
    ) as is_flagged,
    -- 1 = the phase with the highest failure rate among those with failures.
    case
        when summed.failed_run_count > 0
            then row_number() over (
                order by
                    summed.failed_run_count > 0 desc,
                    summed.failed_run_count::double precision
                    / nullif(summed.run_reached_count, 0) desc nulls last,
                    summed.phase_order asc,
                    summed.phase asc
            )
    end as problem_rank
from summed
order by summed.phase_order asc, summed.phase asc
