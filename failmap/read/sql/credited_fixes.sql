-- The fix each resolved pattern's fall is credited to (marts.fix_effectiveness), one per
-- pattern: the latest such fix.
select distinct on (fix_effectiveness.pattern_key)
    fix_effectiveness.pattern_key,
    fix_effectiveness.fix_id,
    fix_effectiveness.fix_description,
    fix_effectiveness.reported_by,
    fix_effectiveness.fixed_at
from marts.fix_effectiveness
where fix_effectiveness.is_credited_with_resolution
order by fix_effectiveness.pattern_key asc, fix_effectiveness.fixed_at desc
