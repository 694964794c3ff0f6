-- For each dimension, its values partition the segments: their counts add up to all segments.
-- The two counts are separate scalar subqueries so that each is an index-only scan (the segment
-- model's index on loaded_at, and its partial index on failed segments; the model vacuums
-- itself after each build so its pages are all-visible) rather than a read of every segment.
with segments as (
    select
        (
            select count(*) from {{ ref('int_segments_outcomes_derived') }}
        ) as segment_count,
        (
            select count(*)
            from {{ ref('int_segments_outcomes_derived') }}
            where is_failed
        ) as failure_count
),

per_dimension as (
    {%- for dimension in pattern_dimensions() %}
        {%- if not loop.first %}
        union all
        {%- endif %}
        select
            '{{ dimension }}' as dimension,
            coalesce(sum(combinations.total_count), 0) as segment_count,
            coalesce(sum(combinations.failure_count), 0) as failure_count
        from {{ ref('combination_failure_rates') }} as combinations
        where
            combinations.dimension_count = 1
            and combinations.dimension_{{ dimension }} is not null
    {%- endfor %}
)

select per_dimension.*
from per_dimension
cross join segments
where
    per_dimension.segment_count != segments.segment_count
    or per_dimension.failure_count != segments.failure_count
