-- Open warnings: $file_kind files that had more than their allowed share of rows quarantined
-- when they arrived (judged once, app.file_judgements) and that nobody has acknowledged yet.
select
    judgements.file_name,
    judgements.rows_in_file,
    judgements.rows_quarantined,
    round(judgements.rows_quarantined::numeric / nullif(judgements.rows_in_file, 0), 4)
        as quarantined_share,
    judgements.judged_at
from app.file_judgements as judgements
where
    judgements.rule = 'quarantined_share_per_file'
    and judgements.file_kind = '$file_kind'
    and judgements.is_warning
    and judgements.acknowledged_at is null
order by judgements.judged_at, judgements.file_name
