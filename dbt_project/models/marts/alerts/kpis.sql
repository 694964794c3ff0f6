-- PRD-064's success metrics, one row per KPI (value, unit, and what it was computed from):
--   detection_lag_hours_median       first failing segment of a pattern -> the refresh that first
--                                    surfaced it (every pattern ever surfaced)
--   patterns_with_fix_share          surfaced patterns with at least one recorded fix
--   failure_rate_before_warning      configurations that got a warning (severity other than
--   failure_rate_after_warning       none), their segments in the var('before_window_days')
--   failure_rate_change_after_warning days before the first warning vs every day after it
--   configuration_checks             checks logged in app.alert_log
--   warned_check_share               checks that warned (severity other than none)
-- The day of the first warning counts on neither side.
with history as (
    select * from {{ ref('pattern_history') }}
),

occurrences as (
    select * from {{ ref('pattern_occurrences') }}
),

patterns as (
    select * from {{ ref('int_patterns_ranked') }}
),

fixes as (
    select * from {{ ref('stg_app__pattern_fixes') }}
),

alerts as (
    select * from {{ ref('stg_app__alert_log') }}
),

daily_cells as (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

first_occurrences as (
    select
        occurrences.pattern_key,
        min(occurrences.evaluated_at) as first_occurred_at
    from occurrences
    group by occurrences.pattern_key
),

detection_lags as (
    select
        extract(
            epoch from history.first_detected_at - first_occurrences.first_occurred_at
        ) / 3600.0 as lag_hours
    from history
    inner join first_occurrences
        on history.pattern_key = first_occurrences.pattern_key
),

fixed_patterns as (
    select
        count(*)::double precision as pattern_count,
        (count(*) filter (
            where exists (
                select 1 from fixes
                where fixes.pattern_key = patterns.pattern_key
            )
        ))::double precision as fixed_count
    from patterns
    -- Current patterns only: a resolved one no longer needs a fix.
    where patterns.status != 'resolved'
),

warned_configurations as (
    select
        alerts.workflow,
        alerts.model,
        alerts.lora,
        alerts.character,
        alerts.scene_type,
        (min(alerts.checked_at) at time zone 'UTC')::date as warned_on
    from alerts
    where alerts.severity != 'none'
    group by
        alerts.workflow,
        alerts.model,
        alerts.lora,
        alerts.character,
        alerts.scene_type
),

warning_days as (
    select
        daily_cells.segment_count::double precision as segment_count,
        daily_cells.failure_count::double precision as failure_count,
        daily_cells.day < warned_configurations.warned_on
        and daily_cells.day
        >= warned_configurations.warned_on - {{ var('before_window_days') }} as is_before,
        daily_cells.day > warned_configurations.warned_on as is_after
    from warned_configurations
    inner join daily_cells
        on {{ same_cell('warned_configurations', 'daily_cells', without='segment_position') }}
),

warning_sums as (
    select
        coalesce(sum(warning_days.segment_count) filter (where warning_days.is_before), 0)
            as before_total_count,
        coalesce(sum(warning_days.failure_count) filter (where warning_days.is_before), 0)
            as before_failure_count,
        coalesce(sum(warning_days.segment_count) filter (where warning_days.is_after), 0)
            as after_total_count,
        coalesce(sum(warning_days.failure_count) filter (where warning_days.is_after), 0)
            as after_failure_count
    from warning_days
),

warning_windows as (
    select
        warning_sums.*,
        warning_sums.before_failure_count / nullif(warning_sums.before_total_count, 0)
            as before_rate,
        warning_sums.after_failure_count / nullif(warning_sums.after_total_count, 0)
            as after_rate
    from warning_sums
),

checks as (
    select
        count(*)::double precision as check_count,
        (count(*) filter (where alerts.severity != 'none'))::double precision as warned_count
    from alerts
),

lag_values as (
    select
        percentile_cont(0.5) within group (
            order by detection_lags.lag_hours
        )::double precision as median_hours,
        count(*)::double precision as pattern_count
    from detection_lags
),

kpi_rows as (
    select
        'detection_lag_hours_median' as kpi,
        'Median hours from a pattern''s first failing segment to the refresh that first '
        || 'surfaced it (all patterns ever surfaced).' as description,
        lag_values.median_hours as kpi_value,
        'hours' as unit,
        null::double precision as numerator,
        lag_values.pattern_count as denominator
    from lag_values

    union all

    select
        'patterns_with_fix_share' as kpi,
        'Share of the surfaced patterns with at least one recorded fix.' as description,
        fixed_patterns.fixed_count / nullif(fixed_patterns.pattern_count, 0) as kpi_value,
        'share' as unit,
        fixed_patterns.fixed_count as numerator,
        fixed_patterns.pattern_count as denominator
    from fixed_patterns

    union all

    select
        'failure_rate_before_warning' as kpi,
        'Failure rate of warned configurations in the days before their first warning.'
            as description,
        warning_windows.before_rate as kpi_value,
        'rate' as unit,
        warning_windows.before_failure_count as numerator,
        warning_windows.before_total_count as denominator
    from warning_windows

    union all

    select
        'failure_rate_after_warning' as kpi,
        'Failure rate of warned configurations since the day after their first warning.'
            as description,
        warning_windows.after_rate as kpi_value,
        'rate' as unit,
        warning_windows.after_failure_count as numerator,
        warning_windows.after_total_count as denominator
    from warning_windows

    union all

    select
        'failure_rate_change_after_warning' as kpi,
        'Failure rate after the first warning minus before (negative: warnings helped).'
            as description,
        warning_windows.after_rate - warning_windows.before_rate as kpi_value,
        'rate' as unit,
        null::double precision as numerator,
        null::double precision as denominator
    from warning_windows

    union all

    select
        'configuration_checks' as kpi,
        'Configuration checks logged (failmap check, dashboard, API).' as description,
        checks.check_count as kpi_value,
        'count' as unit,
        null::double precision as numerator,
        null::double precision as denominator
    from checks

    union all

    select
        'warned_check_share' as kpi,
        'Share of configuration checks that warned (severity other than none).' as description,
        checks.warned_count / nullif(checks.check_count, 0) as kpi_value,
        'share' as unit,
        checks.warned_count as numerator,
        checks.check_count as denominator
    from checks
),

final as (
    select
        kpi_rows.kpi::text as kpi,
        kpi_rows.description::text as description,
        kpi_rows.kpi_value as value,
        kpi_rows.unit::text as unit,
        kpi_rows.numerator,
        kpi_rows.denominator
    from kpi_rows
)

select * from final
