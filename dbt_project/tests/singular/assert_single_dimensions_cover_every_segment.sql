-- For each dimension, its values partition the segments: their counts add up to all segments.
with segments as (
    select
        count(*) as segment_count,
        count(*) filter (where segments.is_failed) as failure_count
    from {{ ref('int_segments_outcomes_derived') }} as segments
),

per_dimension as (
    {%- for dimension in pattern_dimensions() %}
        {%- if not loop.first %}
        union all
        {%- endif %}
        select
            '{{ dimension }}' as dimension,
            sum(combinations.total_count) as segment_count,
            sum(combinations.failure_count) as failure_count
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
