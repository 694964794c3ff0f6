drop index raw.quality_scores_loaded_at_brin;
drop index raw.quality_scores_evaluated_at_idx;
