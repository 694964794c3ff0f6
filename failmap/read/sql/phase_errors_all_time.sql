-- Every pipeline phase over all data, in pipeline order (marts.phase_error_breakdown).
select
    phase_error_breakdown.phase,
    phase_error_breakdown.phase_order,
    phase_error_breakdown.run_reached_count,
    phase_error_breakdown.error_count,
    phase_error_breakdown.failed_run_count,
    phase_error_breakdown.failure_rate,
    phase_error_breakdown.is_flagged,
    phase_error_breakdown.flag_threshold,
    phase_error_breakdown.top_fatal_category
from marts.phase_error_breakdown
where phase_error_breakdown.period_grain = 'all'
order by phase_error_breakdown.phase_order asc
