-- The parent of every surfaced pattern (whole-history and window-only, int_patterns_surfaced):
-- the most specific other surfaced pattern whose values are all among the pattern's values
-- and the values its context implies (a fragment "version Y + dataset Z" under "test A +
-- version Y"; "tool version X" under "test A" when X is only recorded by test A). Null for a
-- top-level pattern. Among several: the one sharing most of the pattern's own values, then the
-- most specific, the larger impact, the key.
with candidates as (
    select * from {{ ref('int_patterns_surfaced') }}
),

surfaced as (
    select candidates.*
    from candidates
    where candidates.verdict = 'surfaced'
),

ancestors as (
    select distinct on (surfaced.pattern_key)
        surfaced.pattern_key,
        ancestor.pattern_key as parent_pattern_key
    from surfaced
    inner join surfaced as ancestor
        on
            surfaced.pattern_key != ancestor.pattern_key
            {%- for dimension in pattern_dimensions() %}
                and (
                    ancestor.dimension_{{ dimension }} is null
                    or ancestor.dimension_{{ dimension }} = coalesce(
                        surfaced.dimension_{{ dimension }}, surfaced.context_{{ dimension }}
                    )
                )
            {%- endfor %}
    order by
        surfaced.pattern_key asc,
        -- An ancestor among the pattern's own values before one from its context.
        (
            {%- for dimension in pattern_dimensions() %}
                {% if not loop.first %}+ {% endif -%}
                coalesce(
                    (
                        ancestor.dimension_{{ dimension }} = surfaced.dimension_{{ dimension }}
                    )::integer,
                    0
                )
            {%- endfor %}
        ) desc,
        ancestor.dimension_count desc,
        ancestor.excess_failure_count desc,
        ancestor.pattern_key asc
),

final as (
    select
        surfaced.pattern_key,
        ancestors.parent_pattern_key
    from surfaced
    left join ancestors
        on surfaced.pattern_key = ancestors.pattern_key
)

select * from final
