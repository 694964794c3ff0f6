drop index raw.runs_started_at_idx;
drop index raw.runs_failed_without_error_idx;
drop index raw.runs_recovery_without_attempt_idx;
drop index raw.runs_finished_before_started_idx;
