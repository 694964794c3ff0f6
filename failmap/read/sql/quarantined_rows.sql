-- Rows quarantined in [%(start_at)s, %(end_at)s) (marts.quarantined_rows), newest first, with
-- the rule each broke.
select
    quarantined_rows.quarantined_at,
    quarantined_rows.file_name,
    quarantined_rows.line_number,
    quarantined_rows.reason,
    quarantined_rows.raw_row::text as raw_row
from marts.quarantined_rows
where
    quarantined_rows.quarantined_at >= %(start_at)s
    and quarantined_rows.quarantined_at < %(end_at)s
order by quarantined_rows.quarantined_at desc, quarantined_rows.quarantine_id desc
limit %(limit)s
