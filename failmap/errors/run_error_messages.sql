-- Every distinct run error message, exactly as dbt's int_run_errors_extracted derives them:
-- each phase_errors value (a JSON null is an empty message) and the failure_reason of failed
-- runs (missing is an empty message), plus the empty message itself. One scan of raw.runs
-- (two, one per kind of message, took about a third longer at a year of runs), skipping the
-- runs that have neither.
select coalesce(run_message.message, '') as message
from raw.runs
cross join
    lateral (
        select phase_error.value as message
        from jsonb_each_text(runs.phase_errors) as phase_error
        union all
        select runs.failure_reason as message
        where runs.status = 'failed'
    ) as run_message
where runs.phase_errors is not null or runs.status = 'failed'
union
select '' as message
