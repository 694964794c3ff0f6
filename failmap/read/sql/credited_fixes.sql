-- The fix each resolved pattern's fall is credited to (marts.fix_effectiveness), one per
-- pattern: the latest such fix, with the version changes judged an improvement near it that
-- account for the fall (the fall may be theirs).
select distinct on (fix_effectiveness.pattern_key)
    fix_effectiveness.pattern_key,
    fix_effectiveness.fix_id,
    fix_effectiveness.fix_description,
    fix_effectiveness.reported_by,
    fix_effectiveness.fixed_at,
    fix_effectiveness.explained_by_changes
from marts.fix_effectiveness
where fix_effectiveness.is_credited_with_resolution
order by fix_effectiveness.pattern_key asc, fix_effectiveness.fixed_at desc
