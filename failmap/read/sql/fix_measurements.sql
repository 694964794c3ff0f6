-- What each fix's pattern did after it, measured (marts.fix_effectiveness): the verdict, the
-- rates it compares, how many segments it has and needs, and the version changes that account
-- for the fall.
select
    fix_effectiveness.fix_id,
    fix_effectiveness.measured_verdict,
    fix_effectiveness.before_failure_rate,
    fix_effectiveness.after_failure_rate,
    fix_effectiveness.after_total_count,
    fix_effectiveness.required_after_count,
    fix_effectiveness.explained_by_changes
from marts.fix_effectiveness
