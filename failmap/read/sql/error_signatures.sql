-- Signatures of the period per category, with counts, one example (the first in sort order),
-- and for signatures with unclassified errors what marts.error_signatures suggests; one category
-- (null: all). A null limit is every row.
select
    run_errors.category,
    run_errors.signature_id,
    min(run_errors.signature_template) as template,
    count(*) as error_count,
    count(*) filter (where run_errors.is_fatal) as failed_run_count,
    count(*) filter (where run_errors.match_type = 'signature') as unclassified_count,
    min(run_errors.message) as example,
    min(run_errors.started_at) as first_seen_at,
    max(run_errors.started_at) as last_seen_at,
    min(error_signatures.suggested_category) as suggested_category,
    min(error_signatures.candidate_pattern) as candidate_pattern,
    count(*) over () as matching_count
from marts.run_errors
inner join marts.error_signatures
    on run_errors.signature_id = error_signatures.signature_id
where
    run_errors.started_on between %(start)s and %(end)s
    and (%(category)s::text is null or run_errors.category = %(category)s::text)
group by run_errors.category, run_errors.signature_id
order by
    run_errors.category asc,
    count(*) filter (where run_errors.is_fatal) desc,
    count(*) desc,
    run_errors.signature_id asc
limit %(limit)s offset %(offset)s
