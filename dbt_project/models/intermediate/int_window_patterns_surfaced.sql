-- Patterns that only the recent windows show: the window candidates with an effect of their
-- own (int_window_candidates_evaluated: rules a and c in the window, more than their own
-- earlier rate) that other patterns do not explain (rule b: the segments of the whole-history
-- patterns, and of a window pattern below it, taken away, the remainder still meets rule a).
-- Patterns the whole history already surfaces are not repeated. One row per pattern: the
-- window where its evidence is strongest. See docs/patterns.md, "Time".
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

own_effects as (
    select * from {{ ref('int_window_candidates_evaluated') }}
),

-- The largest p-value the windows' BH rejected: what a remainder has to meet.
cutoff as (
    select coalesce(max(windows.p_value) filter (where windows.is_significant), 0) as p_value
    from windows
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
            and outer_candidate.dimension_count < inner_candidate.dimension_count
            and {{ cell_in_combination('inner_candidate', 'outer_candidate', prefix='dimension_') }}
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
        {{ dimension_columns('surfaced') }},
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
