-- Combinations that are not made of 1 to 3 dimensions (null dimension columns = not part of it).
with batch as (
    select * from {batch}
)

select
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
    ) not between 1 and 3
