-- Totals of the period [%(start)s, %(end)s] from the daily rows of marts.error_summary, and
-- the signatures seen in it from marts.run_errors.
with days as (
    select error_summary.*
    from marts.error_summary
    where
        error_summary.period_grain = 'day'
        and error_summary.period_start between %(start)s and %(end)s
),

signatures as (
    select
        count(distinct run_errors.signature_id) as signature_count,
        count(distinct run_errors.signature_id) filter (
            where run_errors.match_type = 'signature'
        ) as unknown_signature_count
    from marts.run_errors
    where run_errors.started_on between %(start)s and %(end)s
),

totals as (
    select
        coalesce(sum(days.run_count), 0)::bigint as run_count,
        coalesce(sum(days.succeeded_run_count), 0)::bigint as succeeded_run_count,
        coalesce(sum(days.failed_run_count), 0)::bigint as failed_run_count,
        coalesce(sum(days.cancelled_run_count), 0)::bigint as cancelled_run_count,
        coalesce(sum(days.error_count), 0)::bigint as error_count,
        coalesce(sum(days.classified_error_count), 0)::bigint as classified_error_count,
        coalesce(sum(days.unknown_error_count), 0)::bigint as unknown_error_count,
        coalesce(sum(days.recovered_error_count), 0)::bigint as recovered_error_count,
        coalesce(sum(days.recovery_attempted_run_count), 0)::bigint
            as recovery_attempted_run_count,
        coalesce(sum(days.recovery_succeeded_run_count), 0)::bigint
            as recovery_succeeded_run_count,
        max(signatures.signature_count) as signature_count,
        max(signatures.unknown_signature_count) as unknown_signature_count
    from days
    cross join signatures
)

select
    totals.*,
    totals.failed_run_count::double precision / nullif(totals.run_count, 0) as failure_rate,
    totals.classified_error_count::double precision / nullif(totals.error_count, 0)
        as catalog_match_rate,
    totals.recovery_succeeded_run_count::double precision
    / nullif(totals.recovery_attempted_run_count, 0) as recovery_success_rate
from totals
