-- What a person should see: one row per surfaced pattern (significant, with an effect of its
-- own, not explained by another pattern), most excess failures first (impact_rank), with its
-- top failure reasons and failing checks. Everything but the reasons is
-- int_patterns_ranked (why it is a model of its own: there).
with ranked as (
    select * from {{ ref('int_patterns_ranked') }}
),

reasons as (
    select * from {{ ref('int_pattern_reasons_ranked') }}
),

final as (
    select
        ranked.*,
        coalesce(reasons.top_failure_reasons, '[]'::jsonb) as top_failure_reasons,
        coalesce(reasons.top_failing_checks, '[]'::jsonb) as top_failing_checks
    from ranked
    left join reasons
        on ranked.pattern_key = reasons.pattern_key
)

select * from final
