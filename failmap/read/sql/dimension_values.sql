-- Every value of every dimension with segments (the single-dimension rows of
-- marts.combination_failure_rates), most segments first.
select
    combination_failure_rates.dimension_workflow,
    combination_failure_rates.dimension_model,
    combination_failure_rates.dimension_lora,
    combination_failure_rates.dimension_character,
    combination_failure_rates.dimension_scene_type,
    combination_failure_rates.dimension_segment_position,
    combination_failure_rates.total_count
from marts.combination_failure_rates
where combination_failure_rates.dimension_count = 1
order by combination_failure_rates.total_count desc
