-- The status of every pattern surfacing now (int_patterns_surfaced), read from its daily
-- series (the per-day cube):
--   change points: int_pattern_change_points (a significant rise and/or fall);
--   started_on: the significant rise's day, otherwise the first day of the pattern's data
--       (a window-only pattern without one: the first day of its window);
--   returned_after: when that rise came after a significant fall, the fall's day (the pattern
--       had fallen and came back: not new);
--   resolved: a significant fall, and since then (i) its rate is below min_risk_ratio x the
--       rest's rate over the same days (no longer material) and (ii) a positive test that
--       most of its excess is gone: the one-sided upper Wilson bound (level var('fdr')) of
--       its rate is below the midpoint between the rest's rate and its rate before the fall
--       (not absence of evidence: too few segments since the fall keep it active), from at
--       least var('pattern_resolved_min_segments') segments since the fall (one run's 8
--       results at 0 % are not a fix);
--       status_since = the fall's day;
--   inactive: not resolved, and none of its segments in the longest window (var
--       pattern_window_days) ending at the data's last day: it no longer runs, so it does not
--       fail now, and nothing says it is fixed either (a retired LoRA, character or model
--       version); status_since = the day after its last day with segments;
--   emerging: not resolved, and started within the longest window (var pattern_window_days);
--   active: everything else (also when too little recent data to tell).
-- The status is decided in that order: resolved, inactive, emerging, active. Inactive patterns
-- are still not resolved: the configuration check keeps warning about them.
-- See docs/patterns.md, "Time".
{%- set longest_window = var('pattern_window_days') | max %}

with patterns as (
    select * from {{ ref('int_patterns_surfaced') }}
),

window_patterns as (
    select * from {{ ref('int_window_patterns_surfaced') }}
),

-- Every segment per day: trend tracking's `overall` series (already summed from the cube).
trend_days as (
    select * from {{ ref('int_trend_days_aggregated') }}
),

change_points as (
    select * from {{ ref('int_pattern_change_points') }}
),

pattern_days as (
    select * from {{ ref('int_pattern_days_aggregated') }}
),

day_totals as (
    {{ overall_day_totals('trend_days') }}
),

latest as (
    select max(day_totals.day) as day
    from day_totals
),

rises as (
    select
        change_points.pattern_key,
        change_points.day
    from change_points
    where change_points.direction = 'rise'
),

falls as (
    select
        change_points.pattern_key,
        change_points.day,
        change_points.before_rate
    from change_points
    where change_points.direction = 'fall'
),

firsts as (
    select
        pattern_days.pattern_key,
        min(pattern_days.day) as first_day,
        max(pattern_days.day) as last_day
    from pattern_days
    group by pattern_days.pattern_key
),

dated as (
    select
        patterns.pattern_key,
        coalesce(
            rises.day,
            latest.day - window_patterns.window_days + 1,
            firsts.first_day
        ) as started_on,
        -- A fall after the rise ends the run of elevated days.
        case when falls.day > coalesce(rises.day, firsts.first_day) then falls.day end
            as ended_on,
        -- A fall before the rise: the pattern had fallen (fixed, or gone quiet) and came back.
        case when falls.day < rises.day then falls.day end as returned_after,
        falls.before_rate as before_fall_rate,
        coalesce(window_patterns.window_days, {{ longest_window }}) as active_window_days,
        firsts.last_day,
        latest.day as latest_day
    from patterns
    cross join latest
    left join rises
        on patterns.pattern_key = rises.pattern_key
    left join falls
        on patterns.pattern_key = falls.pattern_key
    left join firsts
        on patterns.pattern_key = firsts.pattern_key
    left join window_patterns
        on patterns.pattern_key = window_patterns.pattern_key
),

-- The days that speak for the status: since the fall, since the rise when it is recent,
-- otherwise the pattern's window (the longest window for whole-history patterns).
recent_starts as (
    select
        dated.*,
        case
            when dated.ended_on is not null then dated.ended_on
            when dated.started_on > dated.latest_day - {{ longest_window }}
                then dated.started_on
            else dated.latest_day - dated.active_window_days + 1
        end as recent_from
    from dated
),

recent as (
    select
        recent_starts.*,
        coalesce(sum(pattern_days.segment_count), 0)::bigint as recent_segment_count,
        coalesce(sum(pattern_days.failure_count), 0)::bigint as recent_failure_count
    from recent_starts
    left join pattern_days
        on
            recent_starts.pattern_key = pattern_days.pattern_key
            and recent_starts.recent_from <= pattern_days.day
    group by
        recent_starts.pattern_key,
        recent_starts.started_on,
        recent_starts.ended_on,
        recent_starts.returned_after,
        recent_starts.active_window_days,
        recent_starts.last_day,
        recent_starts.latest_day,
        recent_starts.recent_from,
        recent_starts.before_fall_rate
),

-- The day from which the pattern is described as it is now (`current_from`): its fall, once at
-- least as many segments as a resolution needs have come since it, resolved or not; otherwise
-- started_on. A fall on fewer is not a new rate yet: on the LAMMPS results scene_type=kim read
-- 0 % now (severity low, left out of predictions) from the 8 results of the last day, on which
-- only its one always-passing example ran.
current_starts as (
    select
        recent.pattern_key,
        case
            when
                recent.ended_on is not null
                and recent.recent_segment_count >= {{ var('pattern_resolved_min_segments') }}
                then recent.ended_on
            else recent.started_on
        end as current_from
    from recent
),

-- The rate it fails at now: over its days since current_from.
current_rates as (
    select
        current_starts.pattern_key,
        current_starts.current_from,
        sum(pattern_days.failure_count)::double precision
        / nullif(sum(pattern_days.segment_count), 0) as current_failure_rate,
        sum(pattern_days.segment_count)::bigint as current_segment_count
    from current_starts
    inner join pattern_days
        on
            current_starts.pattern_key = pattern_days.pattern_key
            and current_starts.current_from <= pattern_days.day
    group by current_starts.pattern_key, current_starts.current_from
),

recent_totals as (
    select
        recent.pattern_key,
        sum(day_totals.segment_count)::bigint as segment_count,
        sum(day_totals.failure_count)::bigint as failure_count
    from recent
    inner join day_totals
        on recent.recent_from <= day_totals.day
    group by recent.pattern_key
),

recent_rest as (
    select
        recent.*,
        current_rates.current_from,
        current_rates.current_failure_rate,
        current_rates.current_segment_count,
        (recent_totals.failure_count - recent.recent_failure_count)::double precision
        / nullif(recent_totals.segment_count - recent.recent_segment_count, 0)
            as recent_baseline_rate
    from recent
    inner join recent_totals
        on recent.pattern_key = recent_totals.pattern_key
    left join current_rates
        on recent.pattern_key = current_rates.pattern_key
),

statused as (
    select
        recent_rest.pattern_key,
        case
            when
                recent_rest.ended_on is not null
                and recent_rest.recent_segment_count
                >= {{ var('pattern_resolved_min_segments') }}
                and recent_rest.recent_failure_count
                < {{ var('min_risk_ratio') }} * recent_rest.recent_segment_count
                * recent_rest.recent_baseline_rate
                and {{ wilson_upper(
                    'recent_rest.recent_failure_count',
                    'recent_rest.recent_segment_count',
                    normal_quantile(1 - var('fdr'))
                ) }} < (recent_rest.recent_baseline_rate + recent_rest.before_fall_rate) / 2
                then 'resolved'
            -- None of its segments in the longest window: it stopped running.
            when recent_rest.last_day <= recent_rest.latest_day - {{ longest_window }}
                then 'inactive'
            when recent_rest.started_on > recent_rest.latest_day - {{ longest_window }}
                then 'emerging'
            else 'active'
        end as status,
        recent_rest.started_on,
        recent_rest.ended_on,
        recent_rest.returned_after,
        recent_rest.last_day,
        (recent_rest.latest_day - recent_rest.recent_from + 1)::integer as recent_window_days,
        recent_rest.recent_segment_count,
        recent_rest.recent_failure_count,
        recent_rest.recent_failure_count::double precision
        / nullif(recent_rest.recent_segment_count, 0) as recent_failure_rate,
        recent_rest.recent_baseline_rate,
        recent_rest.current_from,
        recent_rest.current_failure_rate,
        recent_rest.current_segment_count,
        recent_rest.latest_day
    from recent_rest
),

final as (
    select
        statused.pattern_key,
        statused.status,
        case statused.status
            when 'resolved' then statused.ended_on
            -- Inactive since the first day without its segments.
            when 'inactive' then statused.last_day + 1
            else statused.started_on
        end as status_since,
        statused.started_on,
        statused.ended_on,
        statused.returned_after,
        statused.recent_window_days,
        statused.recent_segment_count,
        statused.recent_failure_count,
        statused.recent_failure_rate,
        statused.recent_baseline_rate,
        statused.current_from,
        statused.current_failure_rate,
        statused.current_segment_count,
        statused.latest_day
    from statused
)

select * from final
