{{
    config(
        materialized='incremental',
        unique_key='day',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['day']}, {'columns': ['dimension', 'dimension_value', 'day']}],
    )
}}
{%- set baseline_days = var('trend_baseline_days') | int -%}
{%- set max_run_days = var('trend_max_run_days') | int -%}
{#- Names the scan's rules; stored in every row, so that rows scanned by other rules (an older
    failmap) are scanned again, from the first day, at the next refresh. -#}
{%- set scan_rule = 'mix: new values at their own failures' -%}
{%- set is_rule_built = built_has_column('scan_rule') -%}

-- The regression / improvement scan over every daily series (docs/trends.md). Day by day, the
-- latest run of 1 to `trend_max_run_days` days is compared with the `trend_baseline_days`
-- days before it by a one-sided exact test (Fisher's, both directions). The smallest p-value,
-- Bonferroni-corrected over run lengths, directions and the day's series, flags the day when it
-- is within `trend_alpha` and the day itself lies on that side of its baseline. A flag starts
-- a new level: later baselines and runs never reach back past the flagged run's first day, so
-- one shift is flagged once. That makes the scan sequential: a recursive CTE, one step per day
-- for all series at once. Incremental by day: a refresh resumes each series from its stored
-- state at the first day whose counts changed and rescans from there.
-- A flag the day's mix explains (indirect standardisation over the configurations, the cells
-- of the per-day cube) is withdrawn inside the scan, so it starts no level and later baselines
-- still reach back past it (issue 13; docs/trends.md, "Mix").
with recursive series_days as (
    select * from {{ ref('int_trend_days_aggregated') }}
),

cells as (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

calendar as (
    select
        min(series_days.day) as first_day,
        max(series_days.day) - min(series_days.day) as last_index
    from series_days
),

{% if is_incremental() %}
    scanned as (
        select * from {{ this }}
    ),

    -- The first day whose series or counts differ from what was scanned, or that was scanned
    -- by other rules: rescan from there.
    changed as (
        select min(coalesce(series_days.day, scanned.day)) as day
        from series_days
        full outer join scanned
            on
                series_days.day = scanned.day
                and series_days.dimension = scanned.dimension
                and series_days.dimension_value = scanned.dimension_value
        where
            series_days.day is null
            or scanned.day is null
            or series_days.total_count != scanned.total_count
            or series_days.failure_count != scanned.failure_count
            {%- if is_rule_built %}
                or scanned.scan_rule is distinct from '{{ scan_rule }}'
            {%- else %}
                or true  -- built before its rules were stored: every day again
            {%- endif %}
    ),

    -- Each series' state after the last day kept: the latest stored row before the rescan.
    resumed as (
        select distinct on (scanned.dimension, scanned.dimension_value)
            scanned.dimension,
            scanned.dimension_value,
            scanned.level_started_on,
            scanned.last_flagged_on
        from scanned
        cross join changed
        where scanned.day < changed.day
        order by scanned.dimension asc, scanned.dimension_value asc, scanned.day desc
    ),
{% endif %}

-- Dense cumulative counts per series, day index 0 = the first day of all data: the counts of
-- days a..b are total_counts[b + 2] - total_counts[a + 1] (and the same for failure_counts).
series_bounds as (
    select
        series_days.dimension,
        series_days.dimension_value,
        min(series_days.day) - calendar.first_day as first_index
    from series_days
    cross join calendar
    group by series_days.dimension, series_days.dimension_value, calendar.first_day
),

dense_days as (
    select
        series_bounds.dimension,
        series_bounds.dimension_value,
        days.day_index,
        coalesce(series_days.total_count, 0) as total_count,
        coalesce(series_days.failure_count, 0) as failure_count
    from series_bounds
    cross join calendar
    cross join lateral generate_series(0, calendar.last_index) as days (day_index)
    left join series_days
        on
            series_bounds.dimension = series_days.dimension
            and series_bounds.dimension_value = series_days.dimension_value
            and series_days.day = calendar.first_day + days.day_index
),

cumulative_days as (
    select
        dense_days.dimension,
        dense_days.dimension_value,
        dense_days.day_index,
        sum(dense_days.total_count) over (
            partition by dense_days.dimension, dense_days.dimension_value
            order by dense_days.day_index
        )::bigint as total_count,
        sum(dense_days.failure_count) over (
            partition by dense_days.dimension, dense_days.dimension_value
            order by dense_days.day_index
        )::bigint as failure_count
    from dense_days
),

series as (
    select
        series_bounds.dimension,
        series_bounds.dimension_value,
        series_bounds.first_index,
        array[0::bigint] || array_agg(
            cumulative_days.total_count order by cumulative_days.day_index
        ) as total_counts,
        array[0::bigint] || array_agg(
            cumulative_days.failure_count order by cumulative_days.day_index
        ) as failure_counts
    from series_bounds
    inner join cumulative_days
        on
            series_bounds.dimension = cumulative_days.dimension
            and series_bounds.dimension_value = cumulative_days.dimension_value
    group by series_bounds.dimension, series_bounds.dimension_value, series_bounds.first_index
),

-- Series with data per day: a day's Bonferroni family is 2 directions x run lengths x these.
day_series as (
    select
        series_days.day - calendar.first_day as day_index,
        count(*) filter (where series_days.total_count > 0) as series_count
    from series_days
    cross join calendar
    group by series_days.day, calendar.first_day
),

-- Where each series' scan starts: the day before its first day with `level_index` (first day of
-- the current level) and `last_flag_index` (-1: never flagged); in an incremental run the day
-- before the first changed day, with the state stored there.
scan_start as (
    select
        series.dimension,
        series.dimension_value,
        {% if is_incremental() %}
            greatest(series.first_index, changed.day - calendar.first_day) - 1 as day_index,
            coalesce(
                resumed.level_started_on - calendar.first_day, series.first_index
            ) as level_index,
            coalesce(resumed.last_flagged_on - calendar.first_day, -1) as last_flag_index
        {% else %}
            series.first_index - 1 as day_index,
            series.first_index as level_index,
            -1 as last_flag_index
        {% endif %}
    from series
    cross join calendar
    {% if is_incremental() %}
        cross join changed
        left join resumed
            on
                series.dimension = resumed.dimension
                and series.dimension_value = resumed.dimension_value
                and series.first_index < changed.day - calendar.first_day
        where changed.day is not null
    {% endif %}
),

scan as (
    select
        scan_start.dimension,
        scan_start.dimension_value,
        scan_start.day_index,
        scan_start.level_index,
        scan_start.last_flag_index,
        null::bigint as total_count,
        null::bigint as failure_count,
        null::integer as baseline_start_index,
        null::bigint as baseline_total_count,
        null::bigint as baseline_failure_count,
        null::integer as run_days,
        null::integer as reference_start_index,
        null::text as direction,
        null::double precision as p_value,
        null::double precision as adjusted_p_value,
        false as is_flagged,
        false as is_explained_by_mix,
        null::double precision as mix_expected_failure_count
    from scan_start

    union all

    select
        scan.dimension,
        scan.dimension_value,
        today.day_index,
        -- A flag starts a level; so does one explained by content new to the series (its later
        -- days are compared with what the series now holds, not with the days before it).
        case
            when
                verdict.is_flagged
                and (not mix_verdict.is_explained_by_mix or mix.new_content_total > 0)
                then today.day_index - best.run_days + 1
            else scan.level_index
        end as level_index,
        case
            when verdict.is_flagged and not mix_verdict.is_explained_by_mix
                then today.day_index
            else scan.last_flag_index
        end as last_flag_index,
        today.total_count,
        today.failure_count,
        today.baseline_start_index,
        today.baseline_total_count,
        today.baseline_failure_count,
        best.run_days,
        best.reference_start_index,
        best.direction,
        best.p_value,
        verdict.adjusted_p_value,
        verdict.is_flagged and not mix_verdict.is_explained_by_mix as is_flagged,
        mix_verdict.is_explained_by_mix,
        mix.expected_failure_count as mix_expected_failure_count
    from scan
    inner join series
        on
            scan.dimension = series.dimension
            and scan.dimension_value = series.dimension_value
    cross join calendar
    -- Subqueries: the recursive term of a CTE cannot aggregate or sort at its top level, and
    -- each step needs the previous one's columns.
    cross join
        lateral (  -- noqa: ST05
            select
                scan.day_index + 1 as day_index,
                greatest(scan.level_index, scan.day_index + 1 - {{ baseline_days }})
                    as baseline_start_index
        ) as step
    cross join
        lateral (  -- noqa: ST05
            select
                step.day_index,
                step.baseline_start_index,
                series.total_counts[step.day_index + 2]
                - series.total_counts[step.day_index + 1] as total_count,
                series.failure_counts[step.day_index + 2]
                - series.failure_counts[step.day_index + 1] as failure_count,
                -- The day's own baseline; none on the first day of a level.
                case
                    when step.day_index > scan.level_index then
                        series.total_counts[step.day_index + 1]
                        - series.total_counts[step.baseline_start_index + 1]
                end as baseline_total_count,
                case
                    when step.day_index > scan.level_index then
                        series.failure_counts[step.day_index + 1]
                        - series.failure_counts[step.baseline_start_index + 1]
                end as baseline_failure_count
        ) as today
    -- The strongest evidence: the run (ending today, starting after the level began and after
    -- the last flag) and direction with the smallest p-value.
    left join lateral (  -- noqa: ST05
        select
            runs.run_days,
            bounds.reference_start_index,
            tails.direction,
            tails.p_value,
            counts.run_total,
            counts.run_failures,
            counts.reference_total,
            counts.reference_failures
        from generate_series(1, {{ max_run_days }}) as runs (run_days)
        cross join
            lateral (  -- noqa: ST05
                select
                    today.day_index - runs.run_days + 1 as run_start_index,
                    greatest(
                        scan.level_index, today.day_index - runs.run_days + 1 - {{ baseline_days }}
                    ) as reference_start_index
            ) as bounds
        cross join
            lateral (  -- noqa: ST05
                select
                    series.total_counts[today.day_index + 2]
                    - series.total_counts[bounds.run_start_index + 1] as run_total,
                    series.failure_counts[today.day_index + 2]
                    - series.failure_counts[bounds.run_start_index + 1] as run_failures,
                    series.total_counts[bounds.run_start_index + 1]
                    - series.total_counts[bounds.reference_start_index + 1] as reference_total,
                    series.failure_counts[bounds.run_start_index + 1]
                    - series.failure_counts[bounds.reference_start_index + 1] as reference_failures
            ) as counts
        -- Fisher's exact test, one-sided each way.
        cross join
            lateral (
                values
                (
                    'regression',
                    {{ rate_increase_p_value(
                        'counts.run_failures', 'counts.run_total',
                        'counts.reference_failures', 'counts.reference_total',
                    ) }}
                ),
                (
                    'improvement',
                    {{ rate_decrease_p_value(
                        'counts.run_failures', 'counts.run_total',
                        'counts.reference_failures', 'counts.reference_total',
                    ) }}
                )
            ) as tails (direction, p_value)
        where
            today.total_count > 0
            and bounds.run_start_index > scan.level_index
            and bounds.run_start_index > scan.last_flag_index
            and counts.reference_total > 0
        order by tails.p_value asc, runs.run_days asc, tails.direction asc
        limit 1
    ) as best on true
    left join day_series
        on today.day_index = day_series.day_index
    -- Flagged: significant after Bonferroni, and the day itself on that side of its baseline (a
    -- run that is significant only because of days before it does not flag a normal day).
    cross join
        lateral (  -- noqa: ST05
            select
                {{ trend_adjusted_p_value('best.p_value', 'day_series.series_count') }}
                    as adjusted_p_value,
                coalesce(
                    {{ trend_adjusted_p_value('best.p_value', 'day_series.series_count') }}
                    <= {{ var('trend_alpha') }}
                    and case best.direction
                        when 'regression'
                            then
                                today.failure_count * today.baseline_total_count
                                > today.baseline_failure_count * today.total_count
                        else
                            today.failure_count * today.baseline_total_count
                            < today.baseline_failure_count * today.total_count
                    end,
                    false
                ) as is_flagged
        ) as verdict
    -- The mix: a flagged run's expected failures, each configuration's segments in the run at
    -- that configuration's own rate in the reference (the series' reference rate for one
    -- that did not run then). A configuration with a value the series' reference never had
    -- (a workflow, model, LoRA, character, scene type or position new to the series) is
    -- expected at what it did: new content is not the series changing (on the LAMMPS results
    -- the regression suite's first day flagged the overall series, 45 % against the unit tests'
    -- 0.1 %; it shows as a pattern of its own). Read only for flagged steps (a one-time
    -- filter), from the cube's cells of this series in the reference and the run.
    left join lateral (  -- noqa: ST05
        select
            sum(
                case
                    when mix_cells.has_new_value then mix_cells.run_failures
                    else
                        mix_cells.run_total * coalesce(
                            mix_cells.reference_failures::double precision
                            / nullif(mix_cells.reference_total, 0),
                            best.reference_failures::double precision
                            / nullif(best.reference_total, 0)
                        )
                end
            ) as expected_failure_count,
            coalesce(sum(mix_cells.run_total) filter (where mix_cells.has_new_value), 0)
                as new_content_total
        from (
            select
                run_cells.*,
                least(
                    {%- for dimension in pattern_dimensions() %}
                        sum(run_cells.reference_total) over (
                            partition by run_cells.{{ dimension }}
                        ){% if not loop.last %},{% endif %}
                    {%- endfor %}
                ) = 0 as has_new_value
            from (
                select
                    {{ dimension_columns('cells', prefix='') }},
                    coalesce(sum(cells.segment_count) filter (
                        where cells.day >= calendar.first_day + today.day_index - best.run_days + 1
                    ), 0) as run_total,
                    coalesce(sum(cells.failure_count) filter (
                        where cells.day >= calendar.first_day + today.day_index - best.run_days + 1
                    ), 0) as run_failures,
                    coalesce(sum(cells.segment_count) filter (
                        where cells.day < calendar.first_day + today.day_index - best.run_days + 1
                    ), 0) as reference_total,
                    coalesce(sum(cells.failure_count) filter (
                        where cells.day < calendar.first_day + today.day_index - best.run_days + 1
                    ), 0) as reference_failures
                from cells
                where
                    verdict.is_flagged
                    and cells.day >= calendar.first_day + best.reference_start_index
                    and cells.day <= calendar.first_day + today.day_index
                    and {{ cell_in_series('cells', 'scan') }}
                group by
                    {{ dimension_columns('cells', prefix='') }}
            ) as run_cells
        ) as mix_cells
    ) as mix on true
    -- Explained: the run is off its expectation by at most `trend_explained_share` of what it
    -- is off its reference rate (a day on which only the healthy suite ran is no improvement).
    cross join
        lateral (  -- noqa: ST05
            select
                coalesce(
                    verdict.is_flagged
                    and (case best.direction when 'regression' then 1 else -1 end)
                    * (best.run_failures - mix.expected_failure_count)
                    <= {{ var('trend_explained_share') }}
                    * (case best.direction when 'regression' then 1 else -1 end)
                    * (
                        best.run_failures - best.run_total
                        * best.reference_failures::double precision
                        / nullif(best.reference_total, 0)
                    ),
                    false
                ) as is_explained_by_mix
        ) as mix_verdict
    where scan.day_index < calendar.last_index
),

final as (
    select
        calendar.first_day + scan.day_index as day,
        scan.dimension,
        scan.dimension_value,
        scan.total_count,
        scan.failure_count,
        scan.baseline_total_count,
        scan.baseline_failure_count,
        case
            when scan.baseline_total_count is not null
                then calendar.first_day + scan.baseline_start_index
        end as baseline_started_on,
        scan.run_days,
        calendar.first_day + scan.reference_start_index as reference_started_on,
        scan.p_value,
        scan.adjusted_p_value,
        scan.is_flagged and scan.direction = 'regression' as regression_flag,
        scan.is_flagged and scan.direction = 'improvement' as improvement_flag,
        scan.is_explained_by_mix,
        scan.mix_expected_failure_count,
        calendar.first_day + scan.level_index as level_started_on,
        case
            when scan.last_flag_index >= 0 then calendar.first_day + scan.last_flag_index
        end as last_flagged_on,
        '{{ scan_rule }}'::text as scan_rule
    from scan
    cross join calendar
    where scan.total_count > 0
)

select * from final
