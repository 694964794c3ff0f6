-- failure_patterns without its top reasons: one row per surfaced pattern, ranked, with its
-- severity, status and history. Models that need no reasons (the configuration check's rates,
-- kpis, the daily pattern marts) read this one, so they build beside the reasons
-- (int_pattern_reasons_ranked, the slowest model of a year's new day) instead of after them.
with candidates as (
    select * from {{ ref('int_patterns_surfaced') }}
),

statuses as (
    select * from {{ ref('int_pattern_statuses') }}
),

combinations as (
    select * from {{ ref('int_combinations_tested') }}
),

history as (
    select * from {{ ref('pattern_history') }}
),

occurrences as (
    select * from {{ ref('pattern_occurrences') }}
),

-- (issue 13: structure) parent pattern, one row per surfaced pattern.
parents as (
    select * from {{ ref('int_pattern_parents_linked') }}
),

surfaced as (
    select candidates.*
    from candidates
    where candidates.verdict = 'surfaced'
),

-- Other names of the same segments, leaving out mere qualifications of the pattern's own name
-- (lora=l14|character=c14 is character=c14 with a redundant qualifier, not another name).
aliases as (
    select
        surfaced.pattern_key,
        array_agg(
            combinations.combination_key
            order by combinations.dimension_count, combinations.combination_key
        ) as alias_keys
    from surfaced
    inner join combinations
        on
            surfaced.alias_group = combinations.alias_group
            and surfaced.pattern_key != combinations.combination_key
    where
        not (
            {%- for dimension in pattern_dimensions() %}
                {% if not loop.first %}and {% endif -%}
                (
                    surfaced.dimension_{{ dimension }} is null
                    or surfaced.dimension_{{ dimension }}
                    is not distinct from combinations.dimension_{{ dimension }}
                )
            {%- endfor %}
        )
    group by surfaced.pattern_key
),

-- Severity follows what the pattern fails at now, not its history: its current_failure_rate
-- (since its latest change point) against the rest's rate over its recent window
-- (int_pattern_statuses; the whole-history or window rates when it has none). A resolved
-- pattern drops to low; an emerging one counts at its new rate. docs/alerts.md, "Severity".
rates_now as (
    select
        surfaced.pattern_key,
        coalesce(statuses.current_failure_rate, surfaced.failure_rate) as failure_rate,
        coalesce(
            coalesce(statuses.current_failure_rate, surfaced.failure_rate)
            / nullif(coalesce(statuses.recent_baseline_rate, surfaced.baseline_rate), 0),
            'infinity'
        ) as risk_ratio
    from surfaced
    left join statuses
        on surfaced.pattern_key = statuses.pattern_key
),

last_occurrences as (
    select
        occurrences.pattern_key,
        max(occurrences.evaluated_at) as last_occurrence
    from occurrences
    group by occurrences.pattern_key
),

final as (
    select
        surfaced.pattern_key,
        {{ pattern_description('surfaced') }} as description,
        {{ dimension_columns('surfaced') }},
        surfaced.dimension_count::integer as dimension_count,
        coalesce(aliases.alias_keys, '{}'::text[]) as aliases,
        surfaced.failure_count,
        surfaced.total_count,
        surfaced.failure_rate,
        surfaced.baseline_rate,
        surfaced.risk_ratio,
        surfaced.failure_rate_lower,
        surfaced.failure_rate_upper,
        surfaced.excess_failure_count as impact,
        row_number() over (
            order by
                surfaced.excess_failure_count desc,
                surfaced.ln_p_value asc,
                surfaced.pattern_key asc
        )::integer as impact_rank,
        surfaced.p_value,
        surfaced.q_value,
        surfaced.own_p_value,
        surfaced.own_q_value,
        nullif(surfaced.reference_key, '') as best_parent_key,
        case
            when
                rates_now.failure_rate >= {{ var('severity_high_failure_rate') }}
                and rates_now.risk_ratio >= {{ var('severity_high_risk_ratio') }}
                then 'high'
            when
                rates_now.failure_rate >= {{ var('severity_medium_failure_rate') }}
                or rates_now.risk_ratio >= {{ var('severity_medium_risk_ratio') }}
                then 'medium'
            else 'low'
        end as severity,
        last_occurrences.last_occurrence,
        history.first_detected_at,
        history.last_seen_at,
        -- (issue 13: structure)
        surfaced.ln_p_value,
        parents.parent_pattern_key,
        -- (end issue 13)
        -- Time (int_pattern_statuses).
        statuses.status,
        statuses.status_since,
        statuses.started_on,
        statuses.recent_failure_rate,
        statuses.recent_segment_count,
        statuses.recent_window_days,
        statuses.current_failure_rate,
        statuses.current_segment_count,
        statuses.returned_after,
        -- A pattern found in a recent window only: its counts, rates, baseline, interval and
        -- impact are that window's (int_window_patterns_surfaced), not the whole history's.
        surfaced.window_starts_on
    from surfaced
    left join aliases
        on surfaced.pattern_key = aliases.pattern_key
    left join last_occurrences
        on surfaced.pattern_key = last_occurrences.pattern_key
    left join history
        on surfaced.pattern_key = history.pattern_key
    left join parents
        on surfaced.pattern_key = parents.pattern_key
    left join statuses
        on surfaced.pattern_key = statuses.pattern_key
    left join rates_now
        on surfaced.pattern_key = rates_now.pattern_key
)

select * from final
