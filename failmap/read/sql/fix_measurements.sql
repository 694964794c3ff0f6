-- What each fix's pattern did after it, measured (marts.fix_effectiveness): the verdict, the
-- rates it compares, how many segments it has and needs, the version changes that account for
-- the fall, the regressions that may hide it, and the day its pattern rose again after it held.
select
    fix_effectiveness.fix_id,
    fix_effectiveness.measured_verdict,
    fix_effectiveness.before_failure_rate,
    fix_effectiveness.after_failure_rate,
    fix_effectiveness.after_total_count,
    fix_effectiveness.required_after_count,
    fix_effectiveness.explained_by_changes,
    fix_effectiveness.masked_by_changes,
    fix_effectiveness.rose_again_on
from marts.fix_effectiveness
