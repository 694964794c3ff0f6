-- One row: how current the data is and how much of it arrived cleanly.
with files as (
    select * from {{ ref('stg_raw__ingested_files') }}
),

-- `not materialized`: only the segments of the first and last day are read (the index on day).
segments as not materialized (
    select * from {{ ref('int_segments_outcomes_derived') }}
),

-- The counts come from the per-day cube (every segment counted once): reading every segment
-- for them took 2 s of each refresh at a year of data.
cells as (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

file_totals as (
    select
        count(*) filter (where files.status = 'loaded') as files_loaded_count,
        count(*) filter (where files.status = 'rejected') as files_rejected_count,
        coalesce(sum(files.rows_loaded), 0)::bigint as rows_loaded_count,
        coalesce(sum(files.rows_quarantined), 0)::bigint as rows_quarantined_count,
        max(files.loaded_at) as last_file_loaded_at
    from files
),

cell_totals as (
    select
        coalesce(sum(cells.segment_count), 0)::bigint as segment_count,
        coalesce(sum(cells.failure_count), 0)::bigint as failed_segment_count,
        min(cells.day) as first_day,
        max(cells.day) as last_day
    from cells
),

segment_totals as (
    select
        cell_totals.segment_count,
        cell_totals.failed_segment_count,
        min(segments.evaluated_at) as first_evaluated_at,
        max(segments.evaluated_at) as last_evaluated_at
    from cell_totals
    left join segments
        on segments.day = any(array[cell_totals.first_day, cell_totals.last_day])
    group by cell_totals.segment_count, cell_totals.failed_segment_count
),

final as (
    select
        now() as refreshed_at,
        file_totals.last_file_loaded_at,
        segment_totals.first_evaluated_at,
        segment_totals.last_evaluated_at,
        file_totals.files_loaded_count,
        file_totals.files_rejected_count,
        file_totals.rows_loaded_count,
        file_totals.rows_quarantined_count,
        segment_totals.segment_count,
        segment_totals.failed_segment_count
    from file_totals
    cross join segment_totals
)

select * from final
