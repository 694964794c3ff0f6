-- Every surfaced pattern's drill-down holds exactly its failing segments.
with occurrences as (
    select
        pattern_occurrences.pattern_key,
        count(*) as occurrence_count
    from {{ ref('pattern_occurrences') }} as pattern_occurrences
    group by pattern_occurrences.pattern_key
)

select patterns.pattern_key
from {{ ref('failure_patterns') }} as patterns
left join occurrences
    on patterns.pattern_key = occurrences.pattern_key
where coalesce(occurrences.occurrence_count, 0) != patterns.failure_count
