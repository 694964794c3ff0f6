-- One row per cell (combination of all six dimension values) with the surfaced patterns it
-- lies in: their keys and the highest pattern failure rate. A cell in no pattern belongs to the
-- background the configuration prediction shrinks toward (docs/alerts.md).
with cells as (
    select * from {{ ref('int_cells_aggregated') }}
),

patterns as (
    select * from {{ ref('failure_patterns') }}
),

matched as (
    select
        cells.cell_hash,
        array_agg(patterns.pattern_key order by patterns.pattern_key) as pattern_keys,
        max(patterns.failure_rate) as pattern_failure_rate
    from cells
    inner join patterns
        on {{ cell_in_combination('cells', 'patterns') }}
    group by cells.cell_hash
),

final as (
    select
        cells.*,
        coalesce(matched.pattern_keys, '{}'::text[]) as pattern_keys,
        matched.pattern_failure_rate,
        matched.pattern_keys is not null as is_in_pattern
    from cells
    left join matched
        on cells.cell_hash = matched.cell_hash
)

select * from final
