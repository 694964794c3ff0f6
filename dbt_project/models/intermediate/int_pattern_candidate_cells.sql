{{
    config(
        indexes=[
            {'columns': ['step', 'cell_hash'], 'unique': true},
            {'columns': ['cell_hash', 'step'], 'unique': true},
        ],
    )
}}

-- The cells (= segments) of every candidate with an effect of its own, by the candidate's rule
-- (b) step. Rule (b) asks, one candidate at a time, which of its cells earlier surfaced patterns
-- already cover: the (step) index finds a candidate's cells, the (cell_hash, step) index the
-- other candidates holding a cell (at most 41: one per dimension set). Each cell is matched by
-- its 41 combination keys (a hash join), not by comparing every cell with every candidate.
with candidates as (
    select * from {{ ref('int_pattern_candidates_ordered') }}
),

cells as (
    select * from {{ ref('int_cells_aggregated') }}
),

cell_keys as (
    select
        cells.cell_hash,
        cells.segment_count,
        cells.failure_count,
        keys.combination_key
    from cells
    cross join lateral unnest({{ cell_combination_keys('cells') }}) as keys (combination_key)
),

final as (
    select
        candidates.step,
        cell_keys.cell_hash,
        cell_keys.segment_count,
        cell_keys.failure_count
    from candidates
    inner join cell_keys
        on candidates.combination_key = cell_keys.combination_key
    where candidates.has_own_effect
)

select * from final
