-- Daily failure rates per dimension value (and `overall`) against their trailing baseline, with
-- the regression / improvement flags of the scan (int_trend_days_scanned; docs/trends.md).
-- A flag whose comparison spans a version change with a verdict is counted again without the
-- segments of that workflow or model: when the rest is off its baseline by at most
-- `trend_explained_share` of the failures the whole series is, the change explains the flag
-- (`explained_by_change`), e.g. every workflow's rate rising the day a bad model version
-- ships. The flag stays: the day really failed more. Changes of one dimension to the same
-- version on the same day with the same verdict are one change group and are taken away
-- together: one source version breaking three build configurations at once explains the
-- scene types that merely ran on them, where taking away one configuration leaves two broken.
with scanned as (
    select * from {{ ref('int_trend_days_scanned') }}
),

changes as (
    select
        change_events.*,
        concat_ws(
            '|',
            change_events.dimension,
            change_events.to_version,
            change_events.changed_on::text,
            change_events.verdict
        ) as change_group
    from {{ ref('change_events') }} as change_events
    where change_events.verdict in ('regression', 'improvement')
),

series_days as (
    select * from {{ ref('int_trend_days_aggregated') }}
),

cells as (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

flagged as (
    select
        scanned.day,
        scanned.dimension,
        scanned.dimension_value,
        scanned.reference_started_on,
        scanned.day - scanned.run_days + 1 as run_started_on,
        case when scanned.regression_flag then 'regression' else 'improvement' end as direction
    from scanned
    where scanned.regression_flag or scanned.improvement_flag
),

-- Version changes with a verdict that fall inside a flag's comparison: after its reference
-- window began, on or before the flagged day.
candidates as (
    select
        flagged.*,
        changes.change_key,
        changes.change_group,
        changes.changed_on,
        changes.verdict
    from flagged
    inner join changes
        on
            flagged.reference_started_on < changes.changed_on
            and flagged.day >= changes.changed_on
),

-- The change groups inside each flag's comparison, once each.
candidate_groups as (
    select distinct
        candidates.day,
        candidates.dimension,
        candidates.dimension_value,
        candidates.reference_started_on,
        candidates.run_started_on,
        candidates.direction,
        candidates.change_group
    from candidates
),

-- Every series' daily counts within the workflows and models of each change group: the part of
-- each series a group can explain (a group's values are of one dimension, so disjoint).
changed_values as (
    select distinct
        changes.change_group,
        changes.dimension as change_dimension,
        changes.dimension_value as change_value
    from changes
),

-- The days a change group's flags compare (from the earliest reference window to the latest
-- flagged day): only those days of its values are counted, not the whole history.
group_spans as (
    select
        candidate_groups.change_group,
        min(candidate_groups.reference_started_on) as first_day,
        max(candidate_groups.day) as last_day
    from candidate_groups
    group by candidate_groups.change_group
),

changed_cells as (
    select
        changed_values.change_group,
        cells.*
    from group_spans
    inner join changed_values
        on group_spans.change_group = changed_values.change_group
    inner join cells
        on
            group_spans.first_day <= cells.day
            and group_spans.last_day >= cells.day
            and (
                (
                    changed_values.change_dimension = 'workflow'
                    and changed_values.change_value = cells.workflow
                )
                or (
                    changed_values.change_dimension = 'model'
                    and changed_values.change_value = cells.model
                )
            )
),

changed_series_days as (
    {{ select_series_days('changed_cells', ['change_group']) }}
),

-- The flag's run and its reference, counted whole and within the change group's values.
retested_counts as (
    select
        candidate_groups.day,
        candidate_groups.dimension,
        candidate_groups.dimension_value,
        candidate_groups.change_group,
        candidate_groups.direction,
        coalesce(sum(series_days.total_count) filter (
            where series_days.day >= candidate_groups.run_started_on
        ), 0) as run_total,
        coalesce(sum(series_days.failure_count) filter (
            where series_days.day >= candidate_groups.run_started_on
        ), 0) as run_failures,
        coalesce(sum(changed.total_count) filter (
            where series_days.day >= candidate_groups.run_started_on
        ), 0) as changed_run_total,
        coalesce(sum(changed.failure_count) filter (
            where series_days.day >= candidate_groups.run_started_on
        ), 0) as changed_run_failures,
        coalesce(sum(series_days.total_count) filter (
            where series_days.day < candidate_groups.run_started_on
        ), 0) as reference_total,
        coalesce(sum(series_days.failure_count) filter (
            where series_days.day < candidate_groups.run_started_on
        ), 0) as reference_failures,
        coalesce(sum(changed.total_count) filter (
            where series_days.day < candidate_groups.run_started_on
        ), 0) as changed_reference_total,
        coalesce(sum(changed.failure_count) filter (
            where series_days.day < candidate_groups.run_started_on
        ), 0) as changed_reference_failures
    from candidate_groups
    inner join series_days
        on
            candidate_groups.dimension = series_days.dimension
            and candidate_groups.dimension_value = series_days.dimension_value
            and candidate_groups.reference_started_on <= series_days.day
            and candidate_groups.day >= series_days.day
    left join changed_series_days as changed
        on
            candidate_groups.change_group = changed.change_group
            and series_days.day = changed.day
            and series_days.dimension = changed.dimension
            and series_days.dimension_value = changed.dimension_value
    group by
        candidate_groups.day,
        candidate_groups.dimension,
        candidate_groups.dimension_value,
        candidate_groups.change_group,
        candidate_groups.direction
),

-- Failures of the run above (regression) or below (improvement) what its reference rate
-- predicts: the whole series, and the rest of it outside the changed value.
retested as (
    select
        retested_counts.day,
        retested_counts.dimension,
        retested_counts.dimension_value,
        retested_counts.change_group,
        (case retested_counts.direction when 'regression' then 1 else -1 end) * (
            retested_counts.run_failures - retested_counts.run_total
            * retested_counts.reference_failures::double precision
            / nullif(retested_counts.reference_total, 0)
        ) as excess_failures,
        (case retested_counts.direction when 'regression' then 1 else -1 end) * coalesce(
            (retested_counts.run_failures - retested_counts.changed_run_failures)
            - (retested_counts.run_total - retested_counts.changed_run_total)
            * (retested_counts.reference_failures - retested_counts.changed_reference_failures)
            ::double precision
            / nullif(retested_counts.reference_total - retested_counts.changed_reference_total, 0),
            0
        ) as rest_excess_failures
    from retested_counts
),

-- Of the changes that explain a flag, the one whose verdict goes the flag's way, then the latest.
explanations as (
    select distinct on (candidates.day, candidates.dimension, candidates.dimension_value)
        candidates.day,
        candidates.dimension,
        candidates.dimension_value,
        candidates.change_key
    from candidates
    inner join retested
        on
            candidates.day = retested.day
            and candidates.dimension = retested.dimension
            and candidates.dimension_value = retested.dimension_value
            and candidates.change_group = retested.change_group
    where
        retested.rest_excess_failures
        <= {{ var('trend_explained_share') }} * retested.excess_failures
    order by
        candidates.day asc,
        candidates.dimension asc,
        candidates.dimension_value asc,
        candidates.verdict = candidates.direction desc,
        candidates.changed_on desc,
        candidates.change_key asc
),


final as (
    select
        scanned.day,
        scanned.dimension,
        scanned.dimension_value,
        scanned.total_count,
        scanned.failure_count,
        scanned.failure_count::double precision / scanned.total_count as failure_rate,
        scanned.baseline_total_count,
        scanned.baseline_failure_count,
        scanned.baseline_failure_count::double precision
        / nullif(scanned.baseline_total_count, 0) as baseline_rate,
        scanned.baseline_started_on,
        scanned.level_started_on,
        scanned.run_days,
        scanned.p_value,
        scanned.adjusted_p_value,
        -- Flags the day's mix explains are withdrawn by the scan (issue 13).
        scanned.regression_flag,
        scanned.improvement_flag,
        explanations.change_key as explained_by_change,
        scanned.mix_expected_failure_count,
        coalesce(scanned.is_explained_by_mix, false) as is_explained_by_mix
    from scanned
    left join explanations
        on
            scanned.day = explanations.day
            and scanned.dimension = explanations.dimension
            and scanned.dimension_value = explanations.dimension_value
)

select * from final
