-- The baseline: one hand-written GROUPING SETS query over the per-segment table, computing
-- segment and failure counts of every combination of 1-3 of the six dimensions (41 sets).
-- The pattern models do this and much more (exact tests, BH, aliases, rules, marts).
create temporary table baseline_combinations as
select
    workflow, model, lora, character, scene_type, segment_position_bucket,
    count(*) as total_count,
    count(*) filter (where is_failed) as failure_count
from intermediate.int_segments_outcomes_derived
group by grouping sets (
    (workflow), (model), (lora), (character), (scene_type), (segment_position_bucket),
    (workflow, model), (workflow, lora), (workflow, character), (workflow, scene_type),
    (workflow, segment_position_bucket), (model, lora), (model, character), (model, scene_type),
    (model, segment_position_bucket), (lora, character), (lora, scene_type),
    (lora, segment_position_bucket), (character, scene_type),
    (character, segment_position_bucket), (scene_type, segment_position_bucket),
    (workflow, model, lora), (workflow, model, character), (workflow, model, scene_type),
    (workflow, model, segment_position_bucket), (workflow, lora, character),
    (workflow, lora, scene_type), (workflow, lora, segment_position_bucket),
    (workflow, character, scene_type), (workflow, character, segment_position_bucket),
    (workflow, scene_type, segment_position_bucket), (model, lora, character),
    (model, lora, scene_type), (model, lora, segment_position_bucket),
    (model, character, scene_type), (model, character, segment_position_bucket),
    (model, scene_type, segment_position_bucket), (lora, character, scene_type),
    (lora, character, segment_position_bucket), (lora, scene_type, segment_position_bucket),
    (character, scene_type, segment_position_bucket)
);
