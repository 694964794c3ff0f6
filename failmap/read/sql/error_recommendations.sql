-- The issues of marts.debug_recommendations last seen on or after %(start)s (null: all), most
-- urgent first. A null limit is every row.
select
    debug_recommendations.recommendation_id,
    debug_recommendations.priority_rank,
    debug_recommendations.issue_type,
    debug_recommendations.issue,
    debug_recommendations.category,
    debug_recommendations.signature_id,
    debug_recommendations.severity,
    debug_recommendations.root_cause,
    debug_recommendations.solution,
    debug_recommendations.suggested_pattern,
    debug_recommendations.estimated_fix_time,
    debug_recommendations.recovery_mode,
    debug_recommendations.is_retryable,
    debug_recommendations.error_count,
    debug_recommendations.failed_run_count,
    debug_recommendations.affected_run_count,
    debug_recommendations.recovered_error_count,
    debug_recommendations.signature_count,
    debug_recommendations.first_seen_at,
    debug_recommendations.last_seen_at,
    debug_recommendations.top_phase,
    debug_recommendations.example_message,
    debug_recommendations.concentration_dimension,
    debug_recommendations.concentration_value,
    debug_recommendations.concentration_error_count,
    debug_recommendations.concentration_error_share,
    debug_recommendations.concentration_run_share,
    debug_recommendations.concentration_lift,
    debug_recommendations.concentration_z_score,
    count(*) over () as matching_count
from marts.debug_recommendations
where
    %(start)s::date is null
    or (debug_recommendations.last_seen_at at time zone 'UTC')::date >= %(start)s::date
order by debug_recommendations.priority_rank asc
limit %(limit)s offset %(offset)s
