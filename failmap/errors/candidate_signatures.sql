-- Unknown signatures with at least %(min_occurrences)s unclassified occurrences since
-- %(window_start)s: the candidates for new error catalog patterns, most frequent first.
with unclassified as (
    select
        run_errors.signature_id,
        run_errors.run_id,
        run_errors.phase,
        run_errors.is_fatal,
        run_errors.started_at
    from marts.run_errors
    where
        run_errors.match_type = 'signature'
        and run_errors.started_at >= %(window_start)s
),

counted as (
    select
        unclassified.signature_id,
        count(*) as occurrences,
        count(distinct unclassified.run_id) as runs,
        count(*) filter (where unclassified.is_fatal) as failed_runs,
        count(distinct unclassified.started_at::date) as days_seen,
        min(unclassified.started_at) as first_seen_at,
        max(unclassified.started_at) as last_seen_at,
        array_agg(distinct unclassified.phase order by unclassified.phase)
            filter (where unclassified.phase is not null) as phases
    from unclassified
    group by unclassified.signature_id
    having count(*) >= %(min_occurrences)s
)

select
    counted.signature_id,
    error_signatures.template,
    error_signatures.suggested_category,
    error_signatures.candidate_pattern as suggested_pattern,
    counted.occurrences,
    counted.runs,
    counted.failed_runs,
    counted.days_seen,
    counted.first_seen_at,
    counted.last_seen_at,
    coalesce(counted.phases, '{}') as phases,
    error_signatures.examples
from counted
inner join marts.error_signatures
    on counted.signature_id = error_signatures.signature_id
order by counted.occurrences desc, counted.signature_id
