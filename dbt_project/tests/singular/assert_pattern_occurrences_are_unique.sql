-- One row per pattern and failing segment.
select
    occurrences.pattern_key,
    occurrences.segment_id
from {{ ref('pattern_occurrences') }} as occurrences
group by occurrences.pattern_key, occurrences.segment_id
having count(*) > 1
