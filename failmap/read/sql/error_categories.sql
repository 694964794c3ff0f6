-- Error categories of the period by failed runs, with the catalog's advice for each
-- (from marts.debug_recommendations; null for `unknown` and categories without an issue row).
with period_errors as (
    select run_errors.*
    from marts.run_errors
    where run_errors.started_on between %(start)s and %(end)s
),

counted as (
    select
        period_errors.category,
        count(*) filter (where period_errors.is_fatal) as failed_run_count,
        count(*) as error_count,
        count(*) filter (where period_errors.is_recovery_succeeded) as recovered_error_count,
        count(distinct period_errors.signature_id) as signature_count,
        min(period_errors.severity) as severity,
        bool_or(period_errors.is_retryable) as is_retryable,
        min(period_errors.recovery_mode) as recovery_mode
    from period_errors
    group by period_errors.category
)

select
    counted.*,
    debug_recommendations.root_cause,
    debug_recommendations.solution,
    debug_recommendations.estimated_fix_time,
    debug_recommendations.concentration_dimension,
    debug_recommendations.concentration_value,
    debug_recommendations.concentration_error_count,
    debug_recommendations.error_count as all_time_error_count,
    debug_recommendations.concentration_error_share,
    debug_recommendations.concentration_run_share
from counted
left join marts.debug_recommendations
    on 'category:' || counted.category = debug_recommendations.recommendation_id
order by counted.failed_run_count desc, counted.error_count desc, counted.category asc
