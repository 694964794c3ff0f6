-- Patterns that only the recent windows show: combinations that fail more than the rest of a
-- window (rule a at the windows' q-values), more than they themselves did before it, with an
-- effect of their own in the window (rule c against the best parent's window segments), and
-- not explained by other patterns (rule b: the segments of the whole-history patterns, and of
-- a window pattern below it, taken away, the remainder still meets rule a). Patterns the whole
-- history already surfaces are not repeated. One row per pattern: the window where its
-- evidence is strongest. See docs/patterns.md, "Time".
with windows as (
    select * from {{ ref('int_window_combinations_tested') }}
),

window_cells as (
    select * from {{ ref('int_window_cells_aggregated') }}
),

history_patterns as (
    select evaluated.*
    from {{ ref('int_pattern_candidates_evaluated') }} as evaluated
    where evaluated.verdict = 'surfaced'
),

-- The largest p-value the windows' BH rejected: what a remainder has to meet.
cutoff as (
    select coalesce(max(windows.p_value) filter (where windows.is_significant), 0) as p_value
    from windows
),

latest as (
    select max(daily_cells.day) as day
    from {{ ref('int_daily_cells_aggregated') }} as daily_cells
),

candidates as (
    select
        windows.*,
        latest.day - windows.window_days + 1 as window_starts_on
    from windows
    cross join latest
    where
        windows.is_significant
        and (
            windows.risk_ratio >= {{ var('min_risk_ratio') }}
            or (windows.baseline_rate = 0 and windows.failure_count > 0)
        )
        -- More than its own earlier rate (a combination new in the window has none).
        and (
            windows.earlier_total_count = 0
            or (
                windows.earlier_p_value <= {{ var('fdr') }}
                and windows.failure_rate
                >= {{ var('min_risk_ratio') }} * windows.earlier_failure_rate
            )
        )
        and windows.combination_key not in (
            select history_patterns.pattern_key from history_patterns
        )
),

-- Rule (c) in the window: a child must fail more than the rest of its best parent.
parent_links as (
    {%- for dimension in pattern_dimensions() %}
        {%- if not loop.first %}

            union all
        {% endif %}
        select
            candidates.window_combination_key,
            candidates.window_days,
            {{ combination_key('candidates', without=dimension) }} as parent_key
        from candidates
        where
            candidates.dimension_count > 1
            and candidates.dimension_{{ dimension }} is not null
    {%- endfor %}
),

best_parents as (
    select distinct on (parent_links.window_combination_key)
        parent_links.window_combination_key,
        parents.total_count as parent_total_count,
        parents.failure_count as parent_failure_count
    from parent_links
    inner join windows as parents
        on
            parent_links.window_days = parents.window_days
            and parent_links.parent_key = parents.combination_key
    order by
        parent_links.window_combination_key asc,
        parents.failure_rate desc,
        parents.total_count desc,
        parents.combination_key asc
),

own_effects as (
    select candidates.*
    from candidates
    left join best_parents
        on candidates.window_combination_key = best_parents.window_combination_key
    cross join cutoff
    where
        best_parents.window_combination_key is null
        or (
            {{ hypergeometric_sf(
                'candidates.failure_count',
                'candidates.total_count',
                'best_parents.parent_failure_count',
                'best_parents.parent_total_count'
            ) }} <= cutoff.p_value
            and candidates.failure_count::double precision
            >= {{ var('min_risk_ratio') }} * candidates.total_count
            * (best_parents.parent_failure_count - candidates.failure_count)
            / nullif(best_parents.parent_total_count - candidates.total_count, 0)
        )
),

-- Rule (b): the window's cells outside every whole-history pattern ...
uncovered_cells as (
    select window_cells.*
    from window_cells
    where not exists (
        select 1
        from history_patterns
        where {{ cell_in_combination('window_cells', 'history_patterns') }}
    )
),

window_days as (
    select distinct windows.window_days
    from windows
),

uncovered_totals as (
    select
        window_days.window_days,
        coalesce(sum(uncovered_cells.segment_count), 0) as uncovered_segment_count,
        coalesce(sum(uncovered_cells.failure_count), 0) as uncovered_failure_count
    from window_days
    left join uncovered_cells
        on window_days.window_days = uncovered_cells.window_days
    group by window_days.window_days
),

-- ... and each candidate's share of them (its remainder).
remainders as (
    select
        own_effects.window_combination_key,
        own_effects.window_days,
        own_effects.combination_key,
        coalesce(sum(uncovered_cells.segment_count), 0)::bigint as remainder_total_count,
        coalesce(sum(uncovered_cells.failure_count), 0)::bigint as remainder_failure_count
    from own_effects
    left join uncovered_cells
        on
            own_effects.window_days = uncovered_cells.window_days
            and {{ cell_in_combination('uncovered_cells', 'own_effects') }}
    group by
        own_effects.window_combination_key, own_effects.window_days, own_effects.combination_key
),

-- The largest window candidate strictly inside each candidate (a child or grandchild).
descendants as (
    select distinct on (outer_candidate.window_combination_key)
        outer_candidate.window_combination_key,
        inner_remainder.remainder_total_count,
        inner_remainder.remainder_failure_count
    from own_effects as outer_candidate
    inner join own_effects as inner_candidate
        on
            outer_candidate.window_days = inner_candidate.window_days
            and inner_candidate.dimension_count > outer_candidate.dimension_count
            {%- for dimension in pattern_dimensions() %}
                and (
                    outer_candidate.dimension_{{ dimension }} is null
                    or outer_candidate.dimension_{{ dimension }}
                    = inner_candidate.dimension_{{ dimension }}
                )
            {%- endfor %}
    inner join remainders as inner_remainder
        on inner_candidate.window_combination_key = inner_remainder.window_combination_key
    order by
        outer_candidate.window_combination_key asc,
        inner_remainder.remainder_failure_count desc,
        inner_candidate.combination_key asc
),

judged as (
    select
        own_effects.*,
        remainders.remainder_total_count
        - coalesce(descendants.remainder_total_count, 0) as remainder_total_count,
        remainders.remainder_failure_count
        - coalesce(descendants.remainder_failure_count, 0) as remainder_failure_count,
        uncovered_totals.uncovered_segment_count,
        uncovered_totals.uncovered_failure_count
    from own_effects
    inner join remainders
        on own_effects.window_combination_key = remainders.window_combination_key
    inner join uncovered_totals
        on own_effects.window_days = uncovered_totals.window_days
    left join descendants
        on own_effects.window_combination_key = descendants.window_combination_key
),

remainder_tests as (
    select
        judged.*,
        {{ hypergeometric_sf(
            'judged.remainder_failure_count',
            'judged.remainder_total_count',
            'judged.uncovered_failure_count',
            'judged.uncovered_segment_count'
        ) }} as remainder_p_value,
        (judged.uncovered_failure_count - judged.remainder_failure_count)::double precision
        / nullif(judged.uncovered_segment_count - judged.remainder_total_count, 0)
            as remainder_rest_rate
    from judged
    where judged.remainder_total_count > 0
),

surfaced as (
    select remainder_tests.*
    from remainder_tests
    cross join cutoff
    where
        remainder_tests.remainder_p_value <= cutoff.p_value
        and remainder_tests.remainder_failure_count
        >= {{ var('min_risk_ratio') }} * remainder_tests.remainder_total_count
        * coalesce(remainder_tests.remainder_rest_rate, 0)
),

-- Rule (b) among the window's own patterns: take away the segments of every stronger one
-- (smaller remainder p-value) that overlaps it, a sibling as well as a child; the remainder
-- must still meet rule (a).
stronger_overlaps as (
    select
        surfaced.window_combination_key,
        sum(uncovered_cells.segment_count)::bigint as overlap_count,
        sum(uncovered_cells.failure_count)::bigint as overlap_failure_count
    from surfaced
    inner join uncovered_cells
        on
            surfaced.window_days = uncovered_cells.window_days
            and {{ cell_in_combination('uncovered_cells', 'surfaced') }}
    where
        exists (
            select 1
            from surfaced as stronger
            where
                stronger.window_days = surfaced.window_days
                and stronger.window_combination_key != surfaced.window_combination_key
                and (stronger.remainder_p_value, stronger.combination_key)
                < (surfaced.remainder_p_value, surfaced.combination_key)
                and {{ cell_in_combination('uncovered_cells', 'stronger') }}
        )
    group by surfaced.window_combination_key
),

retested as (
    select
        surfaced.*,
        full_remainders.remainder_total_count
        - coalesce(stronger_overlaps.overlap_count, 0) as own_total_count,
        full_remainders.remainder_failure_count
        - coalesce(stronger_overlaps.overlap_failure_count, 0) as own_failure_count
    from surfaced
    inner join remainders as full_remainders
        on surfaced.window_combination_key = full_remainders.window_combination_key
    left join stronger_overlaps
        on surfaced.window_combination_key = stronger_overlaps.window_combination_key
),

kept as (
    select retested.*
    from retested
    cross join cutoff
    where
        retested.own_total_count = retested.remainder_total_count
        or (
            retested.own_total_count > 0
            and {{ hypergeometric_sf(
                'retested.own_failure_count',
                'retested.own_total_count',
                'retested.uncovered_failure_count',
                'retested.uncovered_segment_count'
            ) }} <= cutoff.p_value
            and retested.own_failure_count
            >= {{ var('min_risk_ratio') }} * retested.own_total_count
            * (retested.uncovered_failure_count - retested.own_failure_count)
            / nullif(retested.uncovered_segment_count - retested.own_total_count, 0)
        )
),

-- One row per pattern: the window where its evidence is strongest.
final as (
    select distinct on (surfaced.combination_key)
        surfaced.combination_key as pattern_key,
        surfaced.window_days,
        surfaced.window_starts_on,
        {%- for dimension in pattern_dimensions() %}
            surfaced.dimension_{{ dimension }},
        {%- endfor %}
        surfaced.dimension_count,
        surfaced.total_count,
        surfaced.failure_count,
        surfaced.failure_rate,
        surfaced.baseline_rate,
        surfaced.risk_ratio,
        surfaced.earlier_total_count,
        surfaced.earlier_failure_count,
        surfaced.earlier_failure_rate,
        surfaced.p_value,
        surfaced.q_value,
        surfaced.earlier_p_value,
        surfaced.remainder_p_value
    from kept as surfaced
    order by surfaced.combination_key asc, surfaced.q_value asc, surfaced.window_days asc
)

select * from final
