-- The raw.runs data-quality rules (failmap/quality/rules) ask every refresh about every run.
-- Each read the whole table: 0.7 s of SQL, 1.7-2.1 s of the raw checks step that every dbt
-- build waits for, at a year of data (1.08M runs). Three rules report rows a predicate picks:
-- a partial index with exactly that predicate holds exactly those rows (normally none), so the
-- rule reads an empty index, and an insert only evaluates the predicate. The fourth looks for
-- start times ahead of the clock: a btree on started_at finds the newest at once.
create index runs_finished_before_started_idx on raw.runs (run_id)
where finished_at < started_at;
create index runs_recovery_without_attempt_idx on raw.runs (run_id)
where recovery_succeeded and not coalesce(recovery_attempted, false);
create index runs_failed_without_error_idx on raw.runs (run_id)
where
    status = 'failed'
    and error_code is null
    and failure_reason is null
    and phase_errors is null;
create index runs_started_at_idx on raw.runs (started_at);
