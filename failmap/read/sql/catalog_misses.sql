-- Run errors no catalog entry matched, and their distinct signatures (marts.run_errors).
select
    count(*) as error_count,
    count(distinct run_errors.signature_id) as signature_count
from marts.run_errors
where run_errors.match_type <> 'catalog'
