-- Errors of runs started in [%(start_at)s, %(end_at)s) (marts.run_errors), newest first.
select
    run_errors.started_at,
    run_errors.run_id,
    run_errors.phase,
    run_errors.category,
    run_errors.match_type,
    run_errors.message,
    run_errors.is_fatal,
    run_errors.is_recovery_attempted,
    run_errors.is_recovery_succeeded,
    run_errors.workflow,
    run_errors.model,
    run_errors.error_code
from marts.run_errors
where
    run_errors.started_at >= %(start_at)s
    and run_errors.started_at < %(end_at)s
order by run_errors.started_at desc, run_errors.run_error_id asc
limit %(limit)s
