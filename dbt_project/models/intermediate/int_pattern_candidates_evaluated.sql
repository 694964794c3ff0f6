-- Which significant combinations surface as patterns. One row per candidate: the representative
-- of an alias group with q <= var('fdr') and risk ratio >= var('min_risk_ratio') (rule a).
-- Then (docs/patterns.md):
--   (c) it must have an effect of its own: a combination of 2 or 3 dimensions must fail more
--       than the rest of its best parent (the parent with the highest rate), a single
--       dimension more than the rest of all segments; one-sided Fisher tests, Benjamini-
--       Hochberg over all tested combinations (the others count as not rejected) at var('fdr');
--   (b) going from the most specific candidates to the least, strongest first, take away the
--       segments of the patterns already surfaced that overlap it (its children, or a stronger
--       pattern sharing segments): if what remains no longer meets rule (a) (p within the BH
--       cutoff, risk ratio against the rest), it is explained by them and suppressed.
with recursive combinations as (
    select * from {{ ref('int_combinations_tested') }}
),

cells as (
    select * from {{ ref('int_cells_aggregated') }}
),

totals as (
    select
        sum(cells.segment_count)::bigint as segment_count,
        sum(cells.failure_count)::bigint as failure_count
    from cells
),

-- The largest p-value BH rejected: the per-test threshold a remainder has to meet.
cutoff as (
    select
        coalesce(max(combinations.p_value) filter (where combinations.is_significant), 0)
            as p_value,
        count(*) filter (where combinations.is_tested) as tested_count
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
        tested_count='(select cutoff.tested_count from cutoff)'
    ) }}
),

-- Candidates with an effect of their own, in the order rule (b) judges them.
ordered as (
    select
        own_effects.*,
        own_q_values.q_value as own_q_value,
        own_q_values.q_value <= {{ var('fdr') }} as has_own_effect,
        row_number() over (
            order by
                own_q_values.q_value > {{ var('fdr') }},
                own_effects.dimension_count desc,
                own_effects.p_value asc,
                own_effects.combination_key asc
        ) as step
    from own_effects
    inner join own_q_values
        on own_effects.combination_key = own_q_values.combination_key
),

candidate_cells as materialized (
    select
        ordered.step,
        cells.cell_hash,
        cells.segment_count,
        cells.failure_count
    from ordered
    inner join cells
        on {{ cell_in_combination('cells', 'ordered') }}
    where ordered.has_own_effect
),

-- Rule (b), one candidate per step; `surfaced_steps` accumulates the surfaced ones.
greedy (
    step,
    surfaced_steps,
    remainder_total_count,
    remainder_failure_count,
    remainder_p_value,
    is_surfaced
) as (
    select
        0::bigint,
        array[]::bigint[],
        null::bigint,
        null::bigint,
        null::double precision,
        null::boolean
    union all
    select
        judged.step,
        case
            when judged.is_surfaced then greedy.surfaced_steps || judged.step
            else greedy.surfaced_steps
        end,
        judged.remainder_total_count,
        judged.remainder_failure_count,
        judged.remainder_p_value,
        judged.is_surfaced
    from greedy
    -- A subquery: the recursive term of a CTE cannot aggregate at its top level.
    cross join lateral (  -- noqa: ST05
        select
            tested.step,
            tested.remainder_total_count,
            tested.remainder_failure_count,
            tested.remainder_p_value,
            -- Nothing overlaps: rules (a) and (c) already decided. Otherwise the remainder must
            -- still meet rule (a).
            tested.overlap_count = 0 or coalesce(
                tested.remainder_p_value <= cutoff.p_value
                and tested.remainder_failure_count
                >= {{ var('min_risk_ratio') }} * tested.remainder_total_count * tested.rest_rate,
                false
            ) as is_surfaced
        from (
            select
                ordered.step,
                explained.overlap_count,
                ordered.total_count - explained.overlap_count as remainder_total_count,
                ordered.failure_count - explained.overlap_failure_count
                    as remainder_failure_count,
                case
                    when explained.overlap_count > 0 then
                    {{ hypergeometric_sf(
                        'ordered.failure_count - explained.overlap_failure_count',
                        'ordered.total_count - explained.overlap_count',
                        'totals.failure_count - explained.failure_count',
                        'totals.segment_count - explained.segment_count'
                    ) }}
                end as remainder_p_value,
                (
                    totals.failure_count - explained.failure_count
                    - (ordered.failure_count - explained.overlap_failure_count)
                )::double precision / nullif(
                    totals.segment_count - explained.segment_count
                    - (ordered.total_count - explained.overlap_count), 0
                ) as rest_rate
            from ordered
            cross join totals
            cross join
                lateral (
                    select
                        coalesce(sum(surfaced_cells.segment_count), 0)::bigint as segment_count,
                        coalesce(sum(surfaced_cells.failure_count), 0)::bigint as failure_count,
                        coalesce(
                            sum(surfaced_cells.segment_count)
                            filter (where surfaced_cells.is_in_candidate), 0
                        )::bigint as overlap_count,
                        coalesce(
                            sum(surfaced_cells.failure_count)
                            filter (where surfaced_cells.is_in_candidate), 0)::bigint
                            as overlap_failure_count
                    from (
                        select distinct on (candidate_cells.cell_hash)
                            candidate_cells.segment_count,
                            candidate_cells.failure_count,
                            exists(
                                select 1
                                from candidate_cells as own_cells
                                where
                                    own_cells.step = ordered.step
                                    and own_cells.cell_hash = candidate_cells.cell_hash
                            ) as is_in_candidate
                        from candidate_cells
                        where candidate_cells.step = any(greedy.surfaced_steps)
                    ) as surfaced_cells
                ) as explained
            where ordered.step = greedy.step + 1 and ordered.has_own_effect
        ) as tested
        cross join cutoff
    ) as judged
),

final as (
    select
        ordered.combination_key as pattern_key,
        {%- for dimension in pattern_dimensions() %}
            ordered.dimension_{{ dimension }},
        {%- endfor %}
        ordered.dimension_count,
        ordered.total_count,
        ordered.failure_count,
        ordered.failure_rate,
        ordered.baseline_rate,
        ordered.risk_ratio,
        ordered.failure_rate_lower,
        ordered.failure_rate_upper,
        ordered.excess_failure_count,
        ordered.p_value,
        ordered.q_value,
        ordered.alias_group,
        ordered.best_parent_key,
        ordered.best_parent_failure_rate,
        ordered.own_p_value,
        ordered.own_q_value,
        ordered.step as judged_order,
        greedy.remainder_total_count,
        greedy.remainder_failure_count,
        greedy.remainder_p_value,
        case
            when not ordered.has_own_effect then 'no_own_effect'
            when not greedy.is_surfaced then 'explained_by_other_pattern'
            else 'surfaced'
        end as verdict
    from ordered
    left join greedy
        on ordered.step = greedy.step
)

select * from final
