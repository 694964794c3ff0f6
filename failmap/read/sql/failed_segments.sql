-- Failing segments (marts.failed_segments) evaluated in [%(start_at)s, %(end_at)s) whose values
-- are the given ones (null: any), newest first: the drill-down of a heatmap cell, which need not
-- be a pattern. The index on evaluated_at answers the range and the order, and stops after
-- %(limit)s matching rows.
select
    failed_segments.evaluated_at,
    failed_segments.segment_id,
    failed_segments.job_id,
    failed_segments.scene_id,
    failed_segments.workflow,
    failed_segments.model,
    failed_segments.lora,
    failed_segments.character,
    failed_segments.scene_type,
    failed_segments.segment_position,
    failed_segments.failed_checks,
    failed_segments.failure_reasons
from marts.failed_segments
where
    failed_segments.evaluated_at >= %(start_at)s
    and failed_segments.evaluated_at < %(end_at)s
    and (%(workflow)s::text is null or failed_segments.workflow = %(workflow)s::text)
    and (%(model)s::text is null or failed_segments.model = %(model)s::text)
    and (%(lora)s::text is null or failed_segments.lora = %(lora)s::text)
    and (%(character)s::text is null or failed_segments.character = %(character)s::text)
    and (%(scene_type)s::text is null or failed_segments.scene_type = %(scene_type)s::text)
    and (
        %(segment_position)s::text is null
        or failed_segments.segment_position_bucket = %(segment_position)s::text
    )
order by failed_segments.evaluated_at desc
limit %(limit)s
