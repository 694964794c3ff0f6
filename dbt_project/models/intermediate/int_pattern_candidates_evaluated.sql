-- Which candidates surface as patterns: rule (b) over the candidates of
-- int_pattern_candidates_ordered (rules (a) and (c) are decided there; docs/patterns.md).
--   (b) going from the most specific candidates to the least, strongest first, take away the
--       segments of the patterns already surfaced that overlap it (its children, or a stronger
--       pattern sharing segments; not one holding all of it, which it is compared within): if
--       what remains no longer meets rule (a) (p within the BH cutoff, materially worse than
--       the rest of its reference), it is explained by them and suppressed.
-- Each step depends on what surfaced before it, so the judging is a recursion, one candidate
-- per step. A step costs as much as the candidate's own cells: the segments all surfaced
-- patterns cover are carried along as running sums (a newly surfaced pattern adds exactly its
-- remainder, the part no earlier one covered), and the overlap with them is found through the
-- indexes of int_pattern_candidate_cells.
with recursive combinations as (
    select * from {{ ref('int_combinations_tested') }}
),

ordered as (
    select * from {{ ref('int_pattern_candidates_ordered') }}
),

candidate_cells as (
    select * from {{ ref('int_pattern_candidate_cells') }}
),

totals as (
    select
        sum(cells.segment_count)::bigint as segment_count,
        sum(cells.failure_count)::bigint as failure_count
    from {{ ref('int_cells_aggregated') }} as cells
),

-- The largest p-value BH rejected (as its log): the per-test threshold a remainder has to meet.
cutoff as (
    select
        coalesce(
            max(combinations.ln_p_value) filter (where combinations.is_significant),
            '-Infinity'::double precision
        ) as ln_p_value
    from combinations
),

-- Rule (b), one candidate per step. `surfaced_steps` accumulates the surfaced ones,
-- `explained_*` the segments and failures they cover together.
greedy (
    step,
    surfaced_steps,
    explained_segment_count,
    explained_failure_count,
    remainder_total_count,
    remainder_failure_count,
    remainder_ln_p_value,
    is_surfaced
) as (
    select
        0::bigint,
        array[]::bigint[],
        0::bigint,
        0::bigint,
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
        greedy.explained_segment_count
        + case when judged.is_surfaced then judged.remainder_total_count else 0 end,
        greedy.explained_failure_count
        + case when judged.is_surfaced then judged.remainder_failure_count else 0 end,
        judged.remainder_total_count,
        judged.remainder_failure_count,
        judged.remainder_ln_p_value,
        judged.is_surfaced
    from greedy
    -- A subquery: the recursive term of a CTE cannot aggregate at its top level.
    cross join lateral (  -- noqa: ST05
        select
            tested.step,
            tested.remainder_total_count,
            tested.remainder_failure_count,
            tested.remainder_ln_p_value,
            -- Nothing overlaps: rules (a) and (c) already decided. Otherwise the remainder must
            -- still meet rule (a).
            tested.overlap_count = 0 or coalesce(
                tested.remainder_ln_p_value + ln(tested.reference_tried_count)
                <= cutoff.ln_p_value
                and tested.remainder_total_count > 0
                and {{ is_material_excess(
                    'tested.remainder_failure_count::double precision'
                    ~ ' / tested.remainder_total_count',
                    'tested.rest_rate'
                ) }},
                false
            ) as is_surfaced
        from (
            select
                ordered.step,
                overlap.overlap_count,
                ordered.total_count - overlap.overlap_count as remainder_total_count,
                ordered.failure_count - overlap.overlap_failure_count
                    as remainder_failure_count,
                ordered.reference_tried_count,
                {{ ln_hypergeometric_sf(
                    'ordered.failure_count - overlap.overlap_failure_count',
                    'ordered.total_count - overlap.overlap_count',
                    'population.failure_count',
                    'population.total_count'
                ) }} as remainder_ln_p_value,
                (
                    population.failure_count
                    - (ordered.failure_count - overlap.overlap_failure_count)
                )::double precision / nullif(
                    population.total_count - (ordered.total_count - overlap.overlap_count), 0
                ) as rest_rate
            from ordered
            cross join totals
            cross join
                lateral (
                    -- The candidate's cells an earlier surfaced pattern covers.
                    select
                        coalesce(sum(own_cells.segment_count), 0)::bigint as overlap_count,
                        coalesce(sum(own_cells.failure_count), 0)::bigint
                            as overlap_failure_count
                    from candidate_cells as own_cells
                    where
                        own_cells.step = ordered.step
                        and cardinality(greedy.surfaced_steps) > 0
                        and exists (
                            select 1
                            from candidate_cells as surfaced_cells
                            where
                                surfaced_cells.cell_hash = own_cells.cell_hash
                                and surfaced_cells.step = any(greedy.surfaced_steps)
                                and surfaced_cells.step != all(ordered.container_steps)
                        )
                ) as overlap
            -- What the remainder is compared in: its reference without the candidate's covered
            -- segments. When the reference is all segments (a single value without context),
            -- the segments of every pattern surfaced so far are set aside, as explained.
            cross join
                lateral (
                    select
                        case
                            when ordered.reference_key = ''
                                then totals.segment_count - greedy.explained_segment_count
                            else ordered.reference_total_count - overlap.overlap_count
                        end as total_count,
                        case
                            when ordered.reference_key = ''
                                then totals.failure_count - greedy.explained_failure_count
                            else ordered.reference_failure_count - overlap.overlap_failure_count
                        end as failure_count
                ) as population
            where ordered.step = greedy.step + 1 and ordered.has_own_effect
        ) as tested
        cross join cutoff
    ) as judged
),

final as (
    select
        ordered.combination_key as pattern_key,
        {{ dimension_columns('ordered') }},
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
        ordered.ln_p_value,
        ordered.context_key,
        {{ dimension_columns('ordered', prefix='context_') }},
        ordered.reference_key,
        ordered.predicted_rate,
        ordered.own_p_value,
        ordered.own_ln_p_value,
        ordered.own_q_value,
        ordered.step as judged_order,
        greedy.remainder_total_count,
        greedy.remainder_failure_count,
        greedy.remainder_ln_p_value,
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
