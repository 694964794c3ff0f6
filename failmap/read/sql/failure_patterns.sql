-- Surfaced patterns (marts.failure_patterns), most excess failures first, filtered: the pattern
-- whose key or alias is %(key)s (the key first; null: all), severities (null: all), a value per
-- dimension (null: any), at least %(min_support)s segments, last failing segment in
-- [%(since_at)s, %(until_at)s) (null: open). A null limit is every row.
select
    failure_patterns.pattern_key,
    failure_patterns.description,
    failure_patterns.dimension_workflow,
    failure_patterns.dimension_model,
    failure_patterns.dimension_lora,
    failure_patterns.dimension_character,
    failure_patterns.dimension_scene_type,
    failure_patterns.dimension_segment_position,
    failure_patterns.dimension_count,
    failure_patterns.aliases,
    failure_patterns.failure_count,
    failure_patterns.total_count,
    failure_patterns.failure_rate,
    failure_patterns.failure_rate_lower,
    failure_patterns.failure_rate_upper,
    failure_patterns.baseline_rate,
    failure_patterns.risk_ratio,
    failure_patterns.impact,
    failure_patterns.impact_rank,
    failure_patterns.p_value,
    failure_patterns.q_value,
    failure_patterns.own_p_value,
    failure_patterns.own_q_value,
    failure_patterns.best_parent_key,
    failure_patterns.severity,
    failure_patterns.last_occurrence,
    failure_patterns.first_detected_at,
    failure_patterns.last_seen_at,
    failure_patterns.ln_p_value,
    failure_patterns.parent_pattern_key,
    failure_patterns.top_failure_reasons,
    failure_patterns.top_failing_checks,
    failure_patterns.status,
    failure_patterns.status_since,
    failure_patterns.started_on,
    failure_patterns.recent_failure_rate,
    failure_patterns.recent_segment_count,
    failure_patterns.recent_window_days,
    failure_patterns.current_failure_rate,
    failure_patterns.current_segment_count,
    failure_patterns.returned_after,
    failure_patterns.window_starts_on,
    count(*) over () as matching_count
from marts.failure_patterns
where
    (
        %(key)s::text is null
        or failure_patterns.pattern_key = %(key)s::text
        or %(key)s::text = any(failure_patterns.aliases)
    )
    and (
        %(severities)s::text[] is null
        or failure_patterns.severity = any(%(severities)s::text[])
    )
    and (
        %(workflow)s::text is null
        or failure_patterns.dimension_workflow = %(workflow)s::text
    )
    and (%(model)s::text is null or failure_patterns.dimension_model = %(model)s::text)
    and (%(lora)s::text is null or failure_patterns.dimension_lora = %(lora)s::text)
    and (
        %(character)s::text is null
        or failure_patterns.dimension_character = %(character)s::text
    )
    and (
        %(scene_type)s::text is null
        or failure_patterns.dimension_scene_type = %(scene_type)s::text
    )
    and (
        %(segment_position)s::text is null
        or failure_patterns.dimension_segment_position = %(segment_position)s::text
    )
    and failure_patterns.total_count >= %(min_support)s
    and (
        %(since_at)s::timestamptz is null
        or failure_patterns.last_occurrence >= %(since_at)s::timestamptz
    )
    and (
        %(until_at)s::timestamptz is null
        or failure_patterns.last_occurrence < %(until_at)s::timestamptz
    )
order by
    failure_patterns.pattern_key = %(key)s::text desc nulls last,
    failure_patterns.impact_rank asc,
    failure_patterns.pattern_key asc
limit %(limit)s offset %(offset)s
