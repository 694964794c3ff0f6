-- The run error models (int_run_errors_extracted, run_errors, int_run_days_aggregated) build
-- the runs loaded since their last build; without an index on loaded_at each read every run to
-- find them (1.08M at a year of data). Runs are appended in load order, so a BRIN finds the
-- newest block ranges, as migration 0008's does for the checks; ingest summarizes the new ranges
-- after each load (failmap/ingest/loader.py, summarize_new_block_ranges).
create index runs_loaded_at_brin on raw.runs using brin (loaded_at) with (autosummarize = on);
