-- How many fixes people recorded per pattern key (app.pattern_fixes).
select
    pattern_fixes.pattern_key,
    count(*) as fix_count
from app.pattern_fixes
group by pattern_fixes.pattern_key
