-- Surfaced patterns whose dimension columns do not match their key: every `dim=value` part of
-- pattern_key needs its dimension_<dim> column filled, and there is at least one.
with batch as (
    select * from {batch}
)

select
    batch.pattern_key,
    batch.dimension_workflow,
    batch.dimension_model,
    batch.dimension_lora,
    batch.dimension_character,
    batch.dimension_scene_type,
    batch.dimension_segment_position
from batch
where
    num_nonnulls(
        batch.dimension_workflow,
        batch.dimension_model,
        batch.dimension_lora,
        batch.dimension_character,
        batch.dimension_scene_type,
        batch.dimension_segment_position
    ) = 0
    or num_nonnulls(
        batch.dimension_workflow,
        batch.dimension_model,
        batch.dimension_lora,
        batch.dimension_character,
        batch.dimension_scene_type,
        batch.dimension_segment_position
    ) <> cardinality(string_to_array(batch.pattern_key, '|'))
order by batch.pattern_key
