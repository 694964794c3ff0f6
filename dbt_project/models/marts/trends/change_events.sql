{%- set before_days = var('change_before_days') | int -%}
{%- set after_days = var('change_after_days') | int -%}

-- One row per workflow or model version change seen in the data, with the failure rate of the
-- old version before it and of the new version from it on, an exact test and a verdict
-- (docs/trends.md). Each rate counts only its own version's segments of that workflow or model:
-- the old version in the `change_before_days` days before the change, the new version in the
-- `change_after_days` days from the day of the change on (fewer while they have not passed).
-- Each change also lists the changes of the other kind (a model's for a workflow's, and the
-- other way round) that fall in its compared days and ran with it: a verdict cannot tell them
-- apart (docs/trends.md, "Concurrent changes").
with changes as (
    select * from {{ ref('int_version_changes_detected') }}
),

version_days as (
    select * from {{ ref('int_version_days_aggregated') }}
    where version is not null
),

cells as (
    select * from {{ ref('int_cells_aggregated') }}
),

-- The workflows and models that ran together, over the whole history.
co_runs as (
    select distinct
        cells.workflow,
        cells.model
    from cells
),

settings as (
    select
        -- The (1 - 2 alpha) interval of the ratio: the equivalence test (TOST) at level alpha.
        {{ normal_quantile('1 - ' ~ var('change_alpha')) }} as interval_z,
        (select max(version_days.day) from version_days) as last_day
),

windows as (
    select
        changes.change_key,
        count(distinct version_days.day) filter (where version_days.day < changes.changed_on)
            as before_day_count,
        coalesce(sum(version_days.total_count) filter (
            where version_days.day < changes.changed_on
        ), 0)::bigint as before_total_count,
        coalesce(sum(version_days.failure_count) filter (
            where version_days.day < changes.changed_on
        ), 0)::bigint as before_failure_count,
        count(distinct version_days.day) filter (where version_days.day >= changes.changed_on)
            as after_day_count,
        coalesce(sum(version_days.total_count) filter (
            where version_days.day >= changes.changed_on
        ), 0)::bigint as after_total_count,
        coalesce(sum(version_days.failure_count) filter (
            where version_days.day >= changes.changed_on
        ), 0)::bigint as after_failure_count
    from changes
    left join version_days
        on
            changes.dimension = version_days.dimension
            and changes.dimension_value = version_days.dimension_value
            and (
                (
                    changes.from_version = version_days.version
                    and version_days.day >= changes.changed_on - {{ before_days }}
                    and changes.changed_on > version_days.day
                )
                or (
                    changes.to_version = version_days.version
                    and changes.changed_on <= version_days.day
                    and version_days.day < changes.changed_on + {{ after_days }}
                )
            )
    group by changes.change_key
),

rates as (
    select
        windows.*,
        windows.before_failure_count::double precision
        / nullif(windows.before_total_count, 0) as rate_before,
        windows.after_failure_count::double precision
        / nullif(windows.after_total_count, 0) as rate_after,
        {{ wilson_lower('windows.before_failure_count', 'windows.before_total_count',
            'settings.interval_z') }} as before_lower,
        {{ wilson_upper('windows.before_failure_count', 'windows.before_total_count',
            'settings.interval_z') }} as before_upper,
        {{ wilson_lower('windows.after_failure_count', 'windows.after_total_count',
            'settings.interval_z') }} as after_lower,
        {{ wilson_upper('windows.after_failure_count', 'windows.after_total_count',
            'settings.interval_z') }} as after_upper,
        -- Fisher's exact test, two-sided as twice the smaller one-sided tail.
        least(1.0::double precision, 2 * least(
            {{ rate_increase_p_value(
                'windows.after_failure_count', 'windows.after_total_count',
                'windows.before_failure_count', 'windows.before_total_count',
            ) }},
            {{ rate_decrease_p_value(
                'windows.after_failure_count', 'windows.after_total_count',
                'windows.before_failure_count', 'windows.before_total_count',
            ) }}
        )) as p_value
    from windows
    cross join settings
),

-- Interval of rate_after / rate_before by MOVER-R from the two Wilson intervals: closed form,
-- and it keeps its coverage at small counts (docs/trends.md).
ratios as (
    select
        rates.*,
        rates.rate_after / nullif(rates.rate_before, 0) as rate_ratio,
        {{ mover_ratio_lower(
            'rates.rate_after', 'rates.after_lower', 'rates.after_upper',
            'rates.rate_before', 'rates.before_lower', 'rates.before_upper',
        ) }} as rate_ratio_lower,
        {{ mover_ratio_upper(
            'rates.rate_after', 'rates.after_lower', 'rates.after_upper',
            'rates.rate_before', 'rates.before_lower', 'rates.before_upper',
        ) }} as rate_ratio_upper
    from rates
),

judged as (
    select
        changes.change_key,
        changes.dimension,
        changes.dimension_value,
        changes.from_version,
        changes.to_version,
        changes.changed_on,
        changes.changed_at,
        changes.is_rollback,
        ratios.before_day_count,
        ratios.before_total_count,
        ratios.before_failure_count,
        ratios.rate_before,
        ratios.after_day_count,
        ratios.after_total_count,
        ratios.after_failure_count,
        ratios.rate_after,
        ratios.rate_ratio,
        ratios.rate_ratio_lower,
        ratios.rate_ratio_upper,
        ratios.p_value,
        case
            when ratios.before_total_count = 0 or ratios.after_total_count = 0
                then 'insufficient_data'
            when ratios.p_value <= {{ var('change_alpha') }}
                then case
                    when ratios.rate_after > ratios.rate_before then 'regression'
                    else 'improvement'
                end
            when
                ratios.rate_ratio_lower >= 1.0 / {{ var('change_material_ratio') }}
                and ratios.rate_ratio_upper <= {{ var('change_material_ratio') }}
                then 'no_change'
            else 'insufficient_data'
        end as verdict,
        settings.last_day >= changes.changed_on + {{ after_days - 1 }} as is_after_window_complete
    from changes
    inner join ratios
        on changes.change_key = ratios.change_key
    cross join settings
),

-- The other kind's changes in the days this one compares, of a workflow or model that ran with
-- it; nearest first.
concurrent as (
    select
        judged.change_key,
        string_agg(
            other.change_key, '; '
            order by abs(other.changed_on - judged.changed_on), other.change_key
        ) as concurrent_changes,
        count(*) filter (where other.verdict in ('regression', 'improvement'))
            as concurrent_flagged_count
    from judged
    inner join judged as other
        on
            judged.dimension != other.dimension
            and other.changed_on >= judged.changed_on - {{ before_days }}
            and other.changed_on < judged.changed_on + {{ after_days }}
    inner join co_runs
        on
            co_runs.workflow = case
                when judged.dimension = 'workflow' then judged.dimension_value
                else other.dimension_value
            end
            and co_runs.model = case
                when judged.dimension = 'model' then judged.dimension_value
                else other.dimension_value
            end
    group by judged.change_key
),

final as (
    select
        judged.*,
        concurrent.concurrent_changes,
        coalesce(concurrent.concurrent_flagged_count, 0) as concurrent_flagged_count
    from judged
    left join concurrent
        on judged.change_key = concurrent.change_key
)

select * from final
