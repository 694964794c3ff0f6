-- One row: how current the data is and how much of it arrived cleanly.
with files as (
    select * from {{ ref('stg_raw__ingested_files') }}
),

segments as (
    select * from {{ ref('int_segments_outcomes_derived') }}
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

segment_totals as (
    select
        count(*) as segment_count,
        count(*) filter (where segments.is_failed) as failed_segment_count,
        min(segments.evaluated_at) as first_evaluated_at,
        max(segments.evaluated_at) as last_evaluated_at
    from segments
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
