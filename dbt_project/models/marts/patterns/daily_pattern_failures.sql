-- Failed segments per surfaced pattern and day: what the app sums for "failures in the period"
-- (a few rows per pattern instead of every occurrence). Counts the pattern's rows of
-- pattern_occurrences, so a period's sum is the number of failing segments its drill-down lists
-- for that period. Only the patterns surfacing now (failure_patterns); days without a failure
-- of the pattern have no row.
with patterns as (
    select * from {{ ref('int_patterns_ranked') }}
),

occurrences as (
    select * from {{ ref('pattern_occurrences') }}
),

final as (
    select
        occurrences.pattern_key,
        (occurrences.evaluated_at at time zone 'UTC')::date as day,
        count(*)::bigint as failure_count
    from occurrences
    inner join patterns
        on occurrences.pattern_key = patterns.pattern_key
    group by
        occurrences.pattern_key,
        (occurrences.evaluated_at at time zone 'UTC')::date
)

select * from final
