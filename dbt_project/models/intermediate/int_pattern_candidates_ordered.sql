{{
    config(
        indexes=[
            {'columns': ['step'], 'unique': true},
            {'columns': ['combination_key'], 'unique': true},
        ],
    )
}}

-- Every candidate pattern: the representative of an alias group with q <= var('fdr') and risk
-- ratio >= var('min_risk_ratio') (rule a), with rule (c) decided and the order in which rule
-- (b) judges them (`step`; docs/patterns.md):
--   (c) it must have an effect of its own: a combination of 2 or 3 dimensions must fail more
--       than the rest of its best parent (the parent with the highest rate), a single
--       dimension more than the rest of all segments; one-sided Fisher tests, Benjamini-
--       Hochberg over all tested combinations (the others count as not rejected) at var('fdr').
-- Candidates with an effect of their own come first (steps 1..n), most specific first, then
-- strongest first. A table indexed on `step`: rule (b) reads one candidate per step.
with combinations as (
    select * from {{ ref('int_combinations_tested') }}
),

-- Rule (c)'s BH runs over every tested combination.
tested as (
    select count(*) filter (where combinations.is_tested) as tested_count
    from combinations
),

candidates as (
    select combinations.*
    from combinations
    where
        combinations.is_significant
        and combinations.combination_key = combinations.representative_key
        and (
            combinations.risk_ratio >= {{ var('min_risk_ratio') }}
            or (combinations.baseline_rate = 0 and combinations.failure_count > 0)
        )
),

-- Rule (c): each multi-dimension candidate against its parents (one dimension dropped).
parent_links as (
    {%- for dimension in pattern_dimensions() %}
        {%- if not loop.first %}

            union all
        {% endif %}
        select
            candidates.combination_key,
            {{ combination_key('candidates', without=dimension) }} as parent_key
        from candidates
        where
            candidates.dimension_count > 1
            and candidates.dimension_{{ dimension }} is not null
    {%- endfor %}
),

best_parents as (
    select distinct on (parent_links.combination_key)
        parent_links.combination_key,
        parents.combination_key as parent_key,
        parents.total_count as parent_total_count,
        parents.failure_count as parent_failure_count,
        parents.failure_rate as parent_failure_rate
    from parent_links
    inner join combinations as parents
        on parent_links.parent_key = parents.combination_key
    order by
        parent_links.combination_key asc,
        parents.failure_rate desc,
        parents.total_count desc,
        parents.combination_key asc
),

own_effects as (
    select
        candidates.*,
        best_parents.parent_key as best_parent_key,
        best_parents.parent_failure_rate as best_parent_failure_rate,
        -- The rest of the best parent: its segments outside the candidate.
        (best_parents.parent_failure_count - candidates.failure_count)::double precision
        / nullif(best_parents.parent_total_count - candidates.total_count, 0)
            as parent_rest_failure_rate,
        case
            when best_parents.parent_key is null then candidates.p_value
            else {{ hypergeometric_sf(
                'candidates.failure_count',
                'candidates.total_count',
                'best_parents.parent_failure_count',
                'best_parents.parent_total_count'
            ) }}
        end as own_p_value
    from candidates
    left join best_parents
        on candidates.combination_key = best_parents.combination_key
),

own_q_values as (
    {{ benjamini_hochberg(
        'own_effects', 'own_p_value', 'combination_key',
        tested_count='(select tested.tested_count from tested)'
    ) }}
),

-- Rule (c) asks for an effect that is significant and material: like rule (a) against the
-- rest of all segments, a child must fail at least var('min_risk_ratio') times as often as the
-- rest of its best parent. At millions of segments a few percent more than the parent is
-- significant, and the child would be listed for what is its parent's effect.
own_verdicts as (
    select
        own_effects.*,
        own_q_values.q_value as own_q_value,
        own_q_values.q_value <= {{ var('fdr') }}
        and (
            own_effects.best_parent_key is null
            or own_effects.failure_rate
            >= {{ var('min_risk_ratio') }} * coalesce(own_effects.parent_rest_failure_rate, 0)
        ) as has_own_effect
    from own_effects
    inner join own_q_values
        on own_effects.combination_key = own_q_values.combination_key
),

-- Candidates with an effect of their own, in the order rule (b) judges them.
ordered as (
    select
        own_verdicts.*,
        row_number() over (
            order by
                not own_verdicts.has_own_effect,
                own_verdicts.dimension_count desc,
                own_verdicts.p_value asc,
                own_verdicts.combination_key asc
        ) as step
    from own_verdicts
),

final as (
    select * from ordered
)

select * from final
