-- The single row of marts.data_freshness: when the marts and the data were last updated, and
-- how much data there is.
select
    data_freshness.refreshed_at,
    data_freshness.last_file_loaded_at,
    data_freshness.first_evaluated_at,
    data_freshness.last_evaluated_at,
    data_freshness.files_loaded_count,
    data_freshness.files_rejected_count,
    data_freshness.rows_loaded_count,
    data_freshness.rows_quarantined_count,
    data_freshness.segment_count,
    data_freshness.failed_segment_count
from marts.data_freshness
