-- A pattern's failing segments evaluated in [%(start_at)s, %(end_at)s) (null: open), newest
-- first. A null limit is every row.
select
    pattern_occurrences.segment_id,
    pattern_occurrences.job_id,
    pattern_occurrences.scene_id,
    pattern_occurrences.evaluated_at,
    pattern_occurrences.failed_checks,
    pattern_occurrences.failure_reasons,
    count(*) over () as matching_count
from marts.pattern_occurrences
where
    pattern_occurrences.pattern_key = %(key)s
    and (
        %(start_at)s::timestamptz is null
        or pattern_occurrences.evaluated_at >= %(start_at)s::timestamptz
    )
    and (
        %(end_at)s::timestamptz is null
        or pattern_occurrences.evaluated_at < %(end_at)s::timestamptz
    )
order by pattern_occurrences.evaluated_at desc, pattern_occurrences.segment_id asc
limit %(limit)s offset %(offset)s
