-- The first and last day with runs in the marts (null, null before any run).
select
    min(error_summary.period_start) as first_day,
    max(error_summary.period_end) as last_day
from marts.error_summary
where error_summary.period_grain = 'day'
