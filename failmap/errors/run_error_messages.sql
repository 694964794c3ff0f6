-- Every distinct run error message, exactly as dbt's int_run_errors_extracted derives them:
-- each phase_errors value (a JSON null is an empty message) and the failure_reason of failed
-- runs (missing is an empty message), plus the empty message itself.
select coalesce(phase_error.value, '') as message
from raw.runs
cross join lateral jsonb_each_text(runs.phase_errors) as phase_error
union
select coalesce(runs.failure_reason, '') as message
from raw.runs
where runs.status = 'failed'
union
select '' as message
