-- Two questions every refresh asks of the whole check history, answered without reading it:
-- - evaluated_at (btree): the newest day, its rows, the days that have data and rows stamped in
--   the future (the raw data-quality rules gate_failure_share, no_empty_day, not_in_future:
--   three scans of every row before, 5 s a refresh at 5.1M rows, 73 s at a year). It costs the
--   insert another btree (measured +0.5-0.8 s per 880k rows inserted, about a fourteenth of a load).
-- - loaded_at (BRIN): the rows loaded since the last dbt build (int_segments_outcomes_derived).
--   Rows are appended in load order, so a block-range summary finds them; it costs the insert
--   next to nothing (within noise in the same measurement).
create index quality_scores_evaluated_at_idx on raw.quality_scores (evaluated_at);
create index quality_scores_loaded_at_brin on raw.quality_scores
    using brin (loaded_at) with (autosummarize = on);
