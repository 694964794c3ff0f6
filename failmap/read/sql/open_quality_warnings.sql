-- Open (not acknowledged) file warnings per file kind (app.file_judgements).
select
    file_judgements.file_kind,
    count(*) as warning_count
from app.file_judgements
where
    file_judgements.is_warning
    and file_judgements.acknowledged_at is null
group by file_judgements.file_kind
order by file_judgements.file_kind
