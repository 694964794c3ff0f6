drop index raw.runs_loaded_at_brin;
