-- One row per combination of all six dimension values over the whole history (the per-day
-- cube summed over days): the cells every combination is a union of. `cell_hash` identifies
-- the cell, so a sum of hashes fingerprints the set of cells (= segments) a combination covers.
with daily_cells as (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

summed as (
    select
        daily_cells.workflow,
        daily_cells.model,
        daily_cells.lora,
        daily_cells.character,
        daily_cells.scene_type,
        daily_cells.segment_position,
        sum(daily_cells.segment_count)::bigint as segment_count,
        sum(daily_cells.failure_count)::bigint as failure_count
    from daily_cells
    group by
        daily_cells.workflow,
        daily_cells.model,
        daily_cells.lora,
        daily_cells.character,
        daily_cells.scene_type,
        daily_cells.segment_position
),

final as (
    select
        summed.*,
        hashtextextended(
            concat_ws(
                '|',
                summed.workflow,
                summed.model,
                summed.lora,
                summed.character,
                summed.scene_type,
                summed.segment_position
            ),
            0
        ) as cell_hash
    from summed
)

select * from final
