-- Daily failure rates per dimension value (and `overall`) against their trailing baseline, with
-- the regression / improvement flags of the scan (int_trend_days_scanned; docs/trends.md).
-- A flag whose comparison spans a version change with a verdict is counted again without the
-- segments of that workflow or model: when the rest is off its baseline by at most
-- `trend_explained_share` of the failures the whole series is, the change explains the flag
-- (`explained_by_change`), e.g. every workflow's rate rising the day a bad model version
-- ships. The flag stays: the day really failed more.
with scanned as (
    select * from {{ ref('int_trend_days_scanned') }}
),

changes as (
    select * from {{ ref('change_events') }}
    where verdict in ('regression', 'improvement')
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
        changes.changed_on,
        changes.verdict,
        changes.dimension as change_dimension,
        changes.dimension_value as change_value
    from flagged
    inner join changes
        on
            flagged.reference_started_on < changes.changed_on
            and flagged.day >= changes.changed_on
),

-- Every series' daily counts within the workflows and models that changed: the part of each
-- series a change can explain.
changed_values as (
    select distinct
        changes.dimension as change_dimension,
        changes.dimension_value as change_value
    from changes
),

changed_cells as (
    select
        changed_values.change_dimension,
        changed_values.change_value,
        cells.*
    from cells
    inner join changed_values
        on
            (
                changed_values.change_dimension = 'workflow'
                and cells.workflow = changed_values.change_value
            )
            or (
                changed_values.change_dimension = 'model'
                and cells.model = changed_values.change_value
            )
),

changed_series_days as (
    {{ select_series_days('changed_cells', ['change_dimension', 'change_value']) }}
),

-- The flag's run and its reference, counted whole and within the changed value.
retested_counts as (
    select
        candidates.day,
        candidates.dimension,
        candidates.dimension_value,
        candidates.change_key,
        candidates.direction,
        coalesce(sum(series_days.total_count) filter (
            where series_days.day >= candidates.run_started_on
        ), 0) as run_total,
        coalesce(sum(series_days.failure_count) filter (
            where series_days.day >= candidates.run_started_on
        ), 0) as run_failures,
        coalesce(sum(changed.total_count) filter (
            where series_days.day >= candidates.run_started_on
        ), 0) as changed_run_total,
        coalesce(sum(changed.failure_count) filter (
            where series_days.day >= candidates.run_started_on
        ), 0) as changed_run_failures,
        coalesce(sum(series_days.total_count) filter (
            where series_days.day < candidates.run_started_on
        ), 0) as reference_total,
        coalesce(sum(series_days.failure_count) filter (
            where series_days.day < candidates.run_started_on
        ), 0) as reference_failures,
        coalesce(sum(changed.total_count) filter (
            where series_days.day < candidates.run_started_on
        ), 0) as changed_reference_total,
        coalesce(sum(changed.failure_count) filter (
            where series_days.day < candidates.run_started_on
        ), 0) as changed_reference_failures
    from candidates
    inner join series_days
        on
            candidates.dimension = series_days.dimension
            and candidates.dimension_value = series_days.dimension_value
            and candidates.reference_started_on <= series_days.day
            and candidates.day >= series_days.day
    left join changed_series_days as changed
        on
            candidates.change_dimension = changed.change_dimension
            and candidates.change_value = changed.change_value
            and series_days.day = changed.day
            and series_days.dimension = changed.dimension
            and series_days.dimension_value = changed.dimension_value
    group by
        candidates.day,
        candidates.dimension,
        candidates.dimension_value,
        candidates.change_key,
        candidates.direction
),

-- Failures of the run above (regression) or below (improvement) what its reference rate
-- predicts: the whole series, and the rest of it outside the changed value.
retested as (
    select
        retested_counts.day,
        retested_counts.dimension,
        retested_counts.dimension_value,
        retested_counts.change_key,
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
            and candidates.change_key = retested.change_key
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

-- (issue 13: mix) A flag must mean the series itself changed, not what ran in it. Expected
-- failures of the flag's run from its mix (indirect standardisation over configurations,
-- the cells of the per-day cube): each configuration's segments in the run at that
-- configuration's own rate in the flag's reference window (the series' reference rate when it
-- did not run then). When the run is off its expectation by at most `trend_explained_share` of
-- what it is off its reference rate, its mix explains the flag and the flag is withdrawn: a day
-- on which only the healthy suite ran is no improvement.
mix_cells as (
    select
        flagged.day,
        flagged.dimension,
        flagged.dimension_value,
        flagged.direction,
        {%- for dimension in pattern_dimensions() %}
            cells.{{ dimension }},
        {%- endfor %}
        coalesce(sum(cells.segment_count) filter (
            where cells.day >= flagged.run_started_on
        ), 0) as run_total,
        coalesce(sum(cells.failure_count) filter (
            where cells.day >= flagged.run_started_on
        ), 0) as run_failures,
        coalesce(sum(cells.segment_count) filter (
            where cells.day < flagged.run_started_on
        ), 0) as reference_total,
        coalesce(sum(cells.failure_count) filter (
            where cells.day < flagged.run_started_on
        ), 0) as reference_failures
    from flagged
    inner join cells
        on
            flagged.reference_started_on <= cells.day
            and flagged.day >= cells.day
            and {{ cell_in_series('cells', 'flagged') }}
    group by
        flagged.day,
        flagged.dimension,
        flagged.dimension_value,
        flagged.direction,
        {%- for dimension in pattern_dimensions() %}
            cells.{{ dimension }}{% if not loop.last %},{% endif %}
        {%- endfor %}
),

mix_totals as (
    select
        mix_cells.day,
        mix_cells.dimension,
        mix_cells.dimension_value,
        mix_cells.direction,
        sum(mix_cells.run_total) as run_total,
        sum(mix_cells.run_failures) as run_failures,
        sum(mix_cells.reference_failures)::double precision
        / nullif(sum(mix_cells.reference_total), 0) as reference_rate
    from mix_cells
    group by mix_cells.day, mix_cells.dimension, mix_cells.dimension_value, mix_cells.direction
),

mix_expected as (
    select
        mix_totals.day,
        mix_totals.dimension,
        mix_totals.dimension_value,
        sum(
            mix_cells.run_total * coalesce(
                mix_cells.reference_failures::double precision
                / nullif(mix_cells.reference_total, 0),
                mix_totals.reference_rate
            )
        ) as expected_failure_count,
        (case mix_totals.direction when 'regression' then 1 else -1 end) * (
            mix_totals.run_failures - mix_totals.run_total * mix_totals.reference_rate
        ) as excess_failures,
        (case mix_totals.direction when 'regression' then 1 else -1 end) * (
            mix_totals.run_failures - sum(
                mix_cells.run_total * coalesce(
                    mix_cells.reference_failures::double precision
                    / nullif(mix_cells.reference_total, 0),
                    mix_totals.reference_rate
                )
            )
        ) as mix_adjusted_excess_failures
    from mix_totals
    inner join mix_cells
        on
            mix_totals.day = mix_cells.day
            and mix_totals.dimension = mix_cells.dimension
            and mix_totals.dimension_value = mix_cells.dimension_value
    group by
        mix_totals.day,
        mix_totals.dimension,
        mix_totals.dimension_value,
        mix_totals.direction,
        mix_totals.run_total,
        mix_totals.run_failures,
        mix_totals.reference_rate
),

mix_explained as (
    select
        mix_expected.*,
        coalesce(
            mix_expected.mix_adjusted_excess_failures
            <= {{ var('trend_explained_share') }} * mix_expected.excess_failures,
            false
        ) as is_explained_by_mix
    from mix_expected
),
-- (end issue 13)

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
        -- (issue 13: mix)
        scanned.regression_flag and not coalesce(mix_explained.is_explained_by_mix, false)
            as regression_flag,
        scanned.improvement_flag and not coalesce(mix_explained.is_explained_by_mix, false)
            as improvement_flag,
        case
            when not coalesce(mix_explained.is_explained_by_mix, false)
                then explanations.change_key
        end as explained_by_change,
        mix_explained.expected_failure_count as mix_expected_failure_count,
        coalesce(mix_explained.is_explained_by_mix, false) as is_explained_by_mix
        -- (end issue 13)
    from scanned
    left join explanations
        on
            scanned.day = explanations.day
            and scanned.dimension = explanations.dimension
            and scanned.dimension_value = explanations.dimension_value
    left join mix_explained
        on
            scanned.day = mix_explained.day
            and scanned.dimension = mix_explained.dimension
            and scanned.dimension_value = mix_explained.dimension_value
)

select * from final
