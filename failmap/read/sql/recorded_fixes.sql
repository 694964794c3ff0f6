-- Fixes recorded for the pattern key %(key)s (null: every pattern), newest first.
select
    pattern_fixes.created_at,
    pattern_fixes.pattern_key,
    pattern_fixes.fix_description,
    pattern_fixes.effectiveness,
    pattern_fixes.fix_parameters::text as fix_parameters,
    pattern_fixes.reported_by,
    pattern_fixes.fix_id
from app.pattern_fixes
where %(key)s::text is null or pattern_fixes.pattern_key = %(key)s::text
order by pattern_fixes.created_at desc, pattern_fixes.fix_id desc
