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
-- its combination keys (a hash join), not by comparing every cell with every candidate; only
-- the keys of the dimension sets such candidates have are made (a handful of the 41: all 41
-- per cell made 1.8M keys for 6 candidates at 90 days, 1.4 s).
{%- set dimensions = pattern_dimensions() %}

with candidates as (
    select * from {{ ref('int_pattern_candidates_ordered') }}
),

cells as (
    select * from {{ ref('int_cells_aggregated') }}
),

own_effect_candidates as (
    select
        candidates.step,
        candidates.combination_key,
        {%- for dimension in dimensions %}
            candidates.dimension_{{ dimension }} is not null
                as has_{{ dimension }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from candidates
    where candidates.has_own_effect
),

dimension_sets as (
    select distinct
        {%- for dimension in dimensions %}
            own_effect_candidates.has_{{ dimension }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from own_effect_candidates
),

-- A cell's key for a dimension set, as combination_key writes it (the set's values in the fixed
-- dimension order; concat_ws skips the dimensions the set leaves out).
cell_keys as (
    select
        cells.cell_hash,
        cells.segment_count,
        cells.failure_count,
        concat_ws(
            '|',
            {%- for dimension in dimensions %}
                case
                    when dimension_sets.has_{{ dimension }}
                        then '{{ dimension }}=' || cells.{{ dimension }}
                end{% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as combination_key
    from cells
    cross join dimension_sets
),

final as (
    select
        own_effect_candidates.step,
        cell_keys.cell_hash,
        cell_keys.segment_count,
        cell_keys.failure_count
    from own_effect_candidates
    inner join cell_keys
        on own_effect_candidates.combination_key = cell_keys.combination_key
)

select * from final
