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
-- A fix whose pattern rose again later (int_pattern_change_points: its latest rise, after the
-- fix) is measured on the days it held, up to that rise, when on those days it is verified;
-- `rose_again_on` then names the rise. Counting the return against the fix would in time call a
-- fix that held for a month `ineffective`; counting the month with the return called a LoRA
-- back at 27 % `verified` on 11.9 % "now" (demo data, docs/patterns.md).
-- Each fix also names the version changes judged an improvement (change_events) near it, of a
-- workflow or model its pattern ran on, that account for its pattern's fall: the fall may be
-- theirs rather than the fix's; and, when it is not verified, the regressions near it without
-- whose segments it would be: they may hide what it did.
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

changes as (
    select * from {{ ref('change_events') }}
    where verdict in ('regression', 'improvement')
),

rises as (
    select * from {{ ref('int_pattern_change_points') }}
    where direction = 'rise'
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

all_fix_days as (
    select
        fix_patterns.fix_id,
        fix_patterns.fixed_on,
        rises.day as rose_on,
        daily_cells.day,
        daily_cells.workflow,
        daily_cells.model,
        daily_cells.segment_count,
        daily_cells.failure_count,
        daily_cells.day < fix_patterns.fixed_on
        and daily_cells.day >= fix_patterns.fixed_on - {{ var('before_window_days') }}
            as is_before,
        daily_cells.day > fix_patterns.fixed_on as is_after,
        -- The days the fix held: after it, before its pattern rose again.
        daily_cells.day > fix_patterns.fixed_on
        and daily_cells.day < rises.day as is_held
    from fix_patterns
    left join rises
        on
            fix_patterns.pattern_key = rises.pattern_key
            and fix_patterns.fixed_on < rises.day
    inner join daily_cells
        on {{ cell_in_combination('daily_cells', 'fix_patterns') }}
),

-- A fix whose pattern rose again after it, verified on the days it held (the fix's own test
-- and segment floor): measured on those days only, and the rise is named.
held_windows as (
    select
        all_fix_days.fix_id,
        min(all_fix_days.rose_on) as rose_on,
        {{ fix_window_counts('all_fix_days', 'is_held') }}
    from all_fix_days
    where all_fix_days.rose_on is not null
    group by all_fix_days.fix_id
),

returns as (
    select
        held_windows.fix_id,
        held_windows.rose_on
    from held_windows
    where
        held_windows.before_total_count > 0
        and held_windows.after_total_count >= {{ var('pattern_resolved_min_segments') }}
        and {{ fix_fall_p_value('held_windows') }} <= {{ var('fix_alpha') }}
),

fix_days as (
    select
        all_fix_days.fix_id,
        all_fix_days.fixed_on,
        all_fix_days.day,
        all_fix_days.workflow,
        all_fix_days.model,
        all_fix_days.segment_count,
        all_fix_days.failure_count,
        all_fix_days.is_before,
        all_fix_days.is_after
        and (returns.rose_on is null or all_fix_days.day < returns.rose_on) as is_after
    from all_fix_days
    left join returns
        on all_fix_days.fix_id = returns.fix_id
),

windows as (
    select
        fix_patterns.fix_id,
        {{ fix_window_counts('fix_days') }}
    from fix_patterns
    left join fix_days
        on fix_patterns.fix_id = fix_days.fix_id
    group by fix_patterns.fix_id
),

-- Version changes judged an improvement or a regression near the fix, of a workflow or model
-- the pattern's segments ran on then: from the start of its before window to the pattern's
-- fall when its resolution is credited to the fix (what could have caused the fall), else to
-- as many days after the fix.
nearby_changes as (
    select
        fix_days.fix_id,
        fix_days.fixed_on,
        changes.change_key,
        changes.dimension,
        changes.dimension_value,
        changes.changed_on,
        changes.verdict
    from fix_days
    left join resolutions
        on fix_days.fix_id = resolutions.resolved_by_fix_id
    inner join changes
        on
            (
                (changes.dimension = 'workflow' and fix_days.workflow = changes.dimension_value)
                or (changes.dimension = 'model' and fix_days.model = changes.dimension_value)
            )
            and changes.changed_on >= fix_days.fixed_on - {{ var('before_window_days') }}
            and changes.changed_on <= coalesce(
                resolutions.resolved_on, fix_days.fixed_on + {{ var('before_window_days') }}
            )
    where fix_days.is_before or fix_days.is_after
    group by
        fix_days.fix_id,
        fix_days.fixed_on,
        changes.change_key,
        changes.dimension,
        changes.dimension_value,
        changes.changed_on,
        changes.verdict
    having changes.changed_on <= max(fix_days.day)
),

-- The pattern's windows again without that workflow's or model's segments.
rest_windows as (
    select
        nearby_changes.fix_id,
        nearby_changes.fixed_on,
        nearby_changes.change_key,
        nearby_changes.changed_on,
        nearby_changes.verdict,
        {{ fix_window_counts('fix_days') }}
    from nearby_changes
    left join fix_days
        on
            nearby_changes.fix_id = fix_days.fix_id
            and case
                when nearby_changes.dimension = 'workflow' then fix_days.workflow
                else fix_days.model
            end != nearby_changes.dimension_value
    group by
        nearby_changes.fix_id,
        nearby_changes.fixed_on,
        nearby_changes.change_key,
        nearby_changes.changed_on,
        nearby_changes.verdict
),

-- The failures the pattern avoided after the fix (at its before rate), and the rest without
-- the change's segments (0 when nothing is left to compare).
avoided as (
    select
        rest_windows.*,
        windows.before_failure_count::double precision
        / nullif(windows.before_total_count, 0) * windows.after_total_count
        - windows.after_failure_count as avoided_count,
        coalesce(
            rest_windows.before_failure_count::double precision
            / nullif(rest_windows.before_total_count, 0) * rest_windows.after_total_count
            - rest_windows.after_failure_count,
            0
        ) as rest_avoided_count
    from rest_windows
    inner join windows
        on rest_windows.fix_id = windows.fix_id
),

-- An improvement accounts for the pattern's fall when, without its segments, the pattern
-- avoids at most var `trend_explained_share` of the failures it avoided after the fix, as a
-- version change explains a daily trend flag (docs/trends.md). Nothing left to compare without
-- them (every segment ran on it) counts as accounted for.
explaining_changes as (
    select
        avoided.fix_id,
        string_agg(
            avoided.change_key, '; '
            order by abs(avoided.changed_on - avoided.fixed_on), avoided.change_key
        ) as explained_by_changes
    from avoided
    where
        avoided.verdict = 'improvement'
        and avoided.avoided_count > 0
        and avoided.rest_avoided_count <= {{ var('trend_explained_share') }} * avoided.avoided_count
    group by avoided.fix_id
),

-- The pattern's windows on what did not change near the fix: without the segments of every
-- workflow or model with a version change judged a regression or an improvement near it.
unchanged_windows as (
    select
        fix_days.fix_id,
        {{ fix_window_counts('fix_days') }}
    from fix_days
    where
        not exists (
            select
            from nearby_changes
            where
                nearby_changes.fix_id = fix_days.fix_id
                and nearby_changes.dimension_value = case
                    when nearby_changes.dimension = 'workflow' then fix_days.workflow
                    else fix_days.model
                end
        )
    group by fix_days.fix_id
),

-- Regressions may hide what the fix did when, on what did not change near it, the pattern
-- fails significantly less after the fix than before (the fix's own test) though on all its
-- segments it does not. Named for fixes not verified. Without every changed workflow's or
-- model's segments, not only the regression's: a rest that still holds another change (an
-- older version's bad week in the before window) falls for that change's reason.
-- Each nearby change's own segments of the pattern: its windows less the rest's.
own_windows as (
    select
        rest_windows.fix_id,
        rest_windows.fixed_on,
        rest_windows.change_key,
        rest_windows.changed_on,
        rest_windows.verdict,
        windows.before_failure_count::double precision
        / nullif(windows.before_total_count, 0) as pattern_before_rate,
        windows.before_total_count - rest_windows.before_total_count as before_total_count,
        windows.before_failure_count - rest_windows.before_failure_count as before_failure_count,
        windows.after_total_count - rest_windows.after_total_count as after_total_count,
        windows.after_failure_count - rest_windows.after_failure_count as after_failure_count
    from rest_windows
    inner join windows
        on rest_windows.fix_id = windows.fix_id
),

masking_changes as (
    select
        own_windows.fix_id,
        string_agg(
            own_windows.change_key, '; '
            order by
                abs(own_windows.changed_on - own_windows.fixed_on),
                own_windows.change_key
        ) as masked_by_changes
    from own_windows
    inner join unchanged_windows
        on own_windows.fix_id = unchanged_windows.fix_id
    where
        own_windows.verdict = 'regression'
        and unchanged_windows.before_total_count > 0
        and unchanged_windows.after_total_count > 0
        and {{ fix_fall_p_value('unchanged_windows') }} <= {{ var('fix_alpha') }}
        -- And the regression did hide something: the pattern's segments on its workflow or
        -- model failed more after the fix than before (than the pattern before, if none ran
        -- on it before). Another regression near the fix that the pattern did not feel is
        -- not named.
        and own_windows.after_total_count > 0
        and own_windows.after_failure_count::double precision / own_windows.after_total_count
        > case
            when own_windows.before_total_count > 0
                then
                    own_windows.before_failure_count::double precision
                    / own_windows.before_total_count
            else own_windows.pattern_before_rate
        end
    group by own_windows.fix_id
),

rated as (
    select
        fix_patterns.*,
        returns.rose_on as rose_again_on,
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
    left join returns
        on fix_patterns.fix_id = returns.fix_id
),

tested as (
    select
        rated.*,
        -- P(the before side has at least its failures | all failures fixed): "fewer after".
        case
            when rated.before_total_count > 0 and rated.after_total_count > 0
                then {{ fix_fall_p_value('rated') }}
        end as p_value,
        -- Segments after the fix needed to see the before rate p1 fall to
        -- p2 = p1 * (1 - fix_min_improvement): the larger of two one-sample approximations.
        -- The normal one on the rates themselves undercounts near 100 %: at p1 = 100 % it asks
        -- for 1 segment, whose exact power is 0.50 (0.54 at 95 %); the arcsine one (Cohen's h)
        -- asks for 3 (exact power 0.88) there, and for fewer than the normal one at low rates.
        case
            when rated.before_failure_rate > 0
                then greatest(
                    ceil(
                        (
                            (
                                rated.alpha_z
                                * sqrt(rated.before_failure_rate * (1 - rated.before_failure_rate))
                                + rated.power_z * sqrt(
                                    rated.before_failure_rate
                                    * (1 - {{ var('fix_min_improvement') }})
                                    * (
                                        1 - rated.before_failure_rate
                                        * (1 - {{ var('fix_min_improvement') }})
                                    )
                                )
                            )
                            / (rated.before_failure_rate * {{ var('fix_min_improvement') }})
                        ) ^ 2
                    ),
                    ceil(
                        (
                            (rated.alpha_z + rated.power_z)
                            / (
                                2 * asin(sqrt(rated.before_failure_rate))
                                - 2 * asin(sqrt(
                                    rated.before_failure_rate
                                    * (1 - {{ var('fix_min_improvement') }})
                                ))
                            )
                        ) ^ 2
                    )
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
            -- A fall verified on at least as many segments as a resolution needs: one run's 8
            -- results at 0 % are not a fix (on the LAMMPS results the one always-passing kim
            -- example ran alone on the last day, and a kim fix read 87 % -> 0 %).
            when
                tested.p_value <= {{ var('fix_alpha') }}
                and tested.after_total_count >= {{ var('pattern_resolved_min_segments') }}
                then 'verified'
            -- The pattern is resolved and its fall is credited to this fix: a positive test
            -- that it is back at baseline (int_pattern_statuses).
            when resolutions.resolved_by_fix_id is not null then 'verified'
            when
                tested.required_after_count is null
                or tested.after_total_count < tested.required_after_count
                or tested.p_value <= {{ var('fix_alpha') }}
                then 'too_early'
            else 'ineffective'
        end as measured_verdict,
        resolutions.resolved_by_fix_id is not null as is_credited_with_resolution,
        tested.rose_again_on,
        explaining_changes.explained_by_changes,
        masking_changes.masked_by_changes
    from tested
    left join history
        on tested.pattern_key = history.pattern_key
    left join resolutions
        on
            tested.pattern_key = resolutions.pattern_key
            and tested.fix_id = resolutions.resolved_by_fix_id
    left join explaining_changes
        on tested.fix_id = explaining_changes.fix_id
    left join masking_changes
        on tested.fix_id = masking_changes.fix_id
),

final as (
    select
        measured.fix_id,
        measured.pattern_key,
        measured.fix_description,
        measured.reported_by,
        measured.fixed_at,
        measured.reported_effectiveness,
        measured.is_pattern_active,
        measured.before_total_count,
        measured.before_failure_count,
        measured.before_failure_rate,
        measured.after_total_count,
        measured.after_failure_count,
        measured.after_failure_rate,
        measured.failure_rate_change,
        measured.p_value,
        measured.required_after_count,
        measured.measured_verdict,
        measured.is_credited_with_resolution,
        measured.rose_again_on,
        -- What accounts for a fall is named only when there was one (verified), what may hide
        -- it only when there was none: a fix whose rate moved by less than one failure (LAMMPS,
        -- parallel, 46.06 % -> 46.06 %) has no fall for a version change to account for.
        case
            when measured.measured_verdict = 'verified' then measured.explained_by_changes
        end as explained_by_changes,
        case
            when measured.measured_verdict != 'verified' then measured.masked_by_changes
        end as masked_by_changes,
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
