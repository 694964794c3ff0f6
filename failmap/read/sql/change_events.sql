-- Workflow and model version changes (marts.change_events), newest first: one dimension (null:
-- both), value (null: all), from or to one version (null: any), verdicts (null: all), changed
-- on the days [%(start)s, %(end)s] (null: open). A null limit is every row.
select
    change_events.change_key,
    change_events.dimension,
    change_events.dimension_value,
    change_events.from_version,
    change_events.to_version,
    change_events.changed_on,
    change_events.changed_at,
    change_events.is_rollback,
    change_events.before_day_count,
    change_events.before_total_count,
    change_events.before_failure_count,
    change_events.rate_before,
    change_events.after_day_count,
    change_events.after_total_count,
    change_events.after_failure_count,
    change_events.rate_after,
    change_events.rate_ratio,
    change_events.rate_ratio_lower,
    change_events.rate_ratio_upper,
    change_events.pass_ratio_lower,
    change_events.pass_ratio_upper,
    change_events.rate_difference,
    change_events.rate_difference_lower,
    change_events.rate_difference_upper,
    change_events.p_value,
    change_events.stratum_count,
    change_events.compared_share,
    change_events.verdict,
    change_events.is_after_window_complete,
    change_events.concurrent_changes,
    change_events.concurrent_flagged_count,
    count(*) over () as matching_count
from marts.change_events
where
    (%(dimension)s::text is null or change_events.dimension = %(dimension)s::text)
    and (%(value)s::text is null or change_events.dimension_value = %(value)s::text)
    and (
        %(version)s::text is null
        or change_events.from_version = %(version)s::text
        or change_events.to_version = %(version)s::text
    )
    and (
        %(verdicts)s::text[] is null
        or change_events.verdict = any(%(verdicts)s::text[])
    )
    and (%(start)s::date is null or change_events.changed_on >= %(start)s::date)
    and (%(end)s::date is null or change_events.changed_on <= %(end)s::date)
order by change_events.changed_at desc, change_events.change_key asc
limit %(limit)s offset %(offset)s
