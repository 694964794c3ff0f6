-- Error templates no catalog entry matched (marts.error_signatures), most frequent first.
select
    error_signatures.template,
    error_signatures.occurrence_count,
    error_signatures.run_count,
    error_signatures.suggested_category,
    error_signatures.top_phase,
    error_signatures.first_seen_at,
    error_signatures.last_seen_at
from marts.error_signatures
where error_signatures.is_unknown
order by error_signatures.occurrence_count desc
limit %(limit)s
