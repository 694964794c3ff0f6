-- Rows quarantined on the days [%(start)s, %(end)s] per file kind and broken rule
-- (marts.quarantine_summary), most rows first.
select
    quarantine_summary.file_kind,
    quarantine_summary.rule,
    sum(quarantine_summary.row_count)::bigint as row_count
from marts.quarantine_summary
where quarantine_summary.day between %(start)s and %(end)s
group by quarantine_summary.file_kind, quarantine_summary.rule
order by row_count desc, quarantine_summary.file_kind asc, quarantine_summary.rule asc
