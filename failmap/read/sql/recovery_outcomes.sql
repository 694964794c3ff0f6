-- Run errors whose recovery was attempted, per recovery mode (`none` when the catalog gives
-- none): how many it got past and how many not (marts.run_errors).
select
    coalesce(run_errors.recovery_mode, 'none') as recovery_mode,
    count(*) filter (where run_errors.is_recovery_succeeded) as succeeded_count,
    count(*) filter (where not run_errors.is_recovery_succeeded) as failed_count
from marts.run_errors
where run_errors.is_recovery_attempted
group by coalesce(run_errors.recovery_mode, 'none')
