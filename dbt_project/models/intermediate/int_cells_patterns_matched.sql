-- One row per cell (combination of all six dimension values) with the current surfaced patterns
-- it lies in (resolved ones left out): their keys, the pattern that governs its prediction (the
-- highest failure rate now; among ties the most segments, then the first key), that rate and the
-- segments it is measured on (the evidence behind it as a prior). A cell in no pattern
-- belongs to the background the configuration prediction shrinks toward (docs/alerts.md).
-- Counts are the cells' current days (int_cells_current).
with cells as (
    select * from {{ ref('int_cells_current') }}
),

patterns as (
    select
        failure_patterns.pattern_key,
        {{ dimension_columns('failure_patterns') }},
        failure_patterns.current_failure_rate as failure_rate,
        coalesce(failure_patterns.current_segment_count, failure_patterns.total_count)
            as evidence_count
    from {{ ref('int_patterns_ranked') }} as failure_patterns
    where failure_patterns.status != 'resolved'
),

matched as (
    select
        cells.cell_hash,
        array_agg(patterns.pattern_key order by patterns.pattern_key) as pattern_keys,
        (array_agg(
            patterns.pattern_key
            order by
                patterns.failure_rate desc nulls last,
                patterns.evidence_count desc,
                patterns.pattern_key asc
        ))[1] as governing_pattern_key,
        max(patterns.failure_rate) as pattern_failure_rate,
        (array_agg(
            patterns.evidence_count
            order by
                patterns.failure_rate desc nulls last,
                patterns.evidence_count desc,
                patterns.pattern_key asc
        ))[1] as pattern_segment_count
    from cells
    inner join patterns
        on {{ cell_in_combination('cells', 'patterns') }}
    group by cells.cell_hash
),

final as (
    select
        {{ dimension_columns('cells', prefix='') }},
        cells.segment_count,
        cells.failure_count,
        cells.cell_hash,
        coalesce(matched.pattern_keys, '{}'::text[]) as pattern_keys,
        matched.governing_pattern_key,
        matched.pattern_failure_rate,
        matched.pattern_segment_count,
        matched.pattern_keys is not null as is_in_pattern
    from cells
    left join matched
        on cells.cell_hash = matched.cell_hash
)

select * from final
