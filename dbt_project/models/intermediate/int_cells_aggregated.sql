-- One row per combination of all six dimension values over the whole history (the per-day
-- cube summed over days): the cells every combination is a union of. `cell_hash` identifies
-- the cell, so a sum of hashes fingerprints the set of cells (= segments) a combination covers.
with daily_cells as (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

summed as (
    select
        {{ dimension_columns('daily_cells', prefix='') }},
        sum(daily_cells.segment_count)::bigint as segment_count,
        sum(daily_cells.failure_count)::bigint as failure_count
    from daily_cells
    group by
        {{ dimension_columns('daily_cells', prefix='') }}
),

final as (
    select
        summed.*,
        hashtextextended(
            concat_ws(
                '|',
                {{ dimension_columns('summed', prefix='') }}
            ),
            0
        ) as cell_hash
    from summed
)

select * from final
