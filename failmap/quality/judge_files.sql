-- Judge every loaded file of one kind that has no verdict yet for this rule: a warning when more
-- than the allowed share of its rows were quarantined. A file is judged once; its verdict, and
-- whether a person acknowledged it, never change with later deliveries.
insert into app.file_judgements (
    file_id,
    rule,
    file_name,
    file_kind,
    rows_in_file,
    rows_quarantined,
    max_quarantined_share,
    is_warning
)
select
    ingested_files.file_id,
    %(rule)s as rule,
    ingested_files.file_name,
    ingested_files.file_kind,
    ingested_files.rows_in_file,
    ingested_files.rows_quarantined,
    %(max_share)s as max_quarantined_share,
    ingested_files.rows_quarantined > %(max_share)s * ingested_files.rows_in_file as is_warning
from raw.ingested_files as ingested_files
where
    ingested_files.status = 'loaded'
    and ingested_files.file_kind = %(file_kind)s
    and not exists (
        select from app.file_judgements as judged
        where judged.file_id = ingested_files.file_id and judged.rule = %(rule)s
    )
on conflict (file_id, rule) do nothing
returning file_name, is_warning
