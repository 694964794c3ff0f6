-- One row per recorded fix: its pattern's failure rate in the var('before_window_days') days
-- before the fix against every day since, with a measured verdict beside the reported one.
-- Days come from the per-day cube; the day of the fix itself counts on neither side.
--   verified:    fewer failures after, one-sided exact test (Fisher) p <= var('fix_alpha'),
--                or its pattern is resolved and the fall is credited to this fix
--                (int_pattern_resolutions);
--   too_early:   not verified and too few segments since the fix to have shown the rate
--                dropping by var('fix_min_improvement') with power var('fix_power'), or no
--                failures before to improve on;
--   ineffective: enough segments since the fix and no significant drop.
with fixes as (
    select * from {{ ref('stg_app__pattern_fixes') }}
),

daily_cells as (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

history as (
    select * from {{ ref('pattern_history') }}
),

resolutions as (
    select * from {{ ref('int_pattern_resolutions') }}
),

fix_patterns as (
    select
        fixes.*,
        (fixes.fixed_at at time zone 'UTC')::date as fixed_on,
        {%- for dimension in pattern_dimensions() %}
            substring(fixes.pattern_key from '(?:^|\|){{ dimension }}=([^|]*)')
                as dimension_{{ dimension }},
        {%- endfor %}
        {{ normal_quantile(1 - var('fix_alpha')) }} as alpha_z,
        {{ normal_quantile(var('fix_power')) }} as power_z
    from fixes
),

fix_days as (
    select
        fix_patterns.fix_id,
        daily_cells.segment_count,
        daily_cells.failure_count,
        daily_cells.day < fix_patterns.fixed_on
        and daily_cells.day >= fix_patterns.fixed_on - {{ var('before_window_days') }}
            as is_before,
        daily_cells.day > fix_patterns.fixed_on as is_after
    from fix_patterns
    inner join daily_cells
        on {{ cell_in_combination('daily_cells', 'fix_patterns') }}
),

windows as (
    select
        fix_patterns.fix_id,
        coalesce(sum(fix_days.segment_count) filter (where fix_days.is_before), 0)::bigint
            as before_total_count,
        coalesce(sum(fix_days.failure_count) filter (where fix_days.is_before), 0)::bigint
            as before_failure_count,
        coalesce(sum(fix_days.segment_count) filter (where fix_days.is_after), 0)::bigint
            as after_total_count,
        coalesce(sum(fix_days.failure_count) filter (where fix_days.is_after), 0)::bigint
            as after_failure_count
    from fix_patterns
    left join fix_days
        on fix_patterns.fix_id = fix_days.fix_id
    group by fix_patterns.fix_id
),

rated as (
    select
        fix_patterns.*,
        windows.before_total_count,
        windows.before_failure_count,
        windows.after_total_count,
        windows.after_failure_count,
        windows.before_failure_count::double precision
        / nullif(windows.before_total_count, 0) as before_failure_rate,
        windows.after_failure_count::double precision
        / nullif(windows.after_total_count, 0) as after_failure_rate
    from fix_patterns
    inner join windows
        on fix_patterns.fix_id = windows.fix_id
),

tested as (
    select
        rated.*,
        -- P(the before side has at least its failures | all failures fixed): "fewer after".
        case
            when rated.before_total_count > 0 and rated.after_total_count > 0
                then {{ hypergeometric_sf(
                    'rated.before_failure_count',
                    'rated.before_total_count',
                    'rated.before_failure_count + rated.after_failure_count',
                    'rated.before_total_count + rated.after_total_count'
                ) }}
        end as p_value,
        -- Segments after the fix needed to see the before rate p1 fall to
        -- p2 = p1 * (1 - fix_min_improvement): one-sample normal approximation.
        case
            when rated.before_failure_rate > 0
                then ceil(
                    (
                        (
                            rated.alpha_z
                            * sqrt(rated.before_failure_rate * (1 - rated.before_failure_rate))
                            + rated.power_z * sqrt(
                                rated.before_failure_rate * (1 - {{ var('fix_min_improvement') }})
                                * (
                                    1 - rated.before_failure_rate
                                    * (1 - {{ var('fix_min_improvement') }})
                                )
                            )
                        )
                        / (rated.before_failure_rate * {{ var('fix_min_improvement') }})
                    ) ^ 2
                )::bigint
        end as required_after_count
    from rated
),

measured as (
    select
        tested.fix_id,
        tested.pattern_key,
        tested.fix_description,
        tested.reported_by,
        tested.fixed_at,
        tested.reported_effectiveness,
        coalesce(history.is_active, false) as is_pattern_active,
        tested.before_total_count,
        tested.before_failure_count,
        tested.before_failure_rate,
        tested.after_total_count,
        tested.after_failure_count,
        tested.after_failure_rate,
        tested.after_failure_rate - tested.before_failure_rate as failure_rate_change,
        tested.p_value,
        tested.required_after_count,
        case
            when tested.p_value <= {{ var('fix_alpha') }} then 'verified'
            -- The pattern is resolved and its fall is credited to this fix: a positive test
            -- that it is back at baseline (int_pattern_statuses).
            when resolutions.resolved_by_fix_id is not null then 'verified'
            when
                tested.required_after_count is null
                or tested.after_total_count < tested.required_after_count
                then 'too_early'
            else 'ineffective'
        end as measured_verdict,
        resolutions.resolved_by_fix_id is not null as is_credited_with_resolution
    from tested
    left join history
        on tested.pattern_key = history.pattern_key
    left join resolutions
        on
            tested.pattern_key = resolutions.pattern_key
            and tested.fix_id = resolutions.resolved_by_fix_id
),

final as (
    select
        measured.*,
        case
            when
                measured.measured_verdict = 'too_early'
                or measured.reported_effectiveness is null
                then null
            when measured.measured_verdict = 'verified'
                then measured.reported_effectiveness in ('resolved', 'improved')
            else measured.reported_effectiveness = 'no_effect'
        end as does_measurement_agree
    from measured
)

select * from final
