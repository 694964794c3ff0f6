-- Run errors the error catalog classified, per category (marts.run_errors).
select
    run_errors.category,
    count(*) as error_count
from marts.run_errors
where run_errors.match_type = 'catalog'
group by run_errors.category
