{%- set before_days = var('change_before_days') | int -%}
{%- set after_days = var('change_after_days') | int -%}

-- One row per workflow or model version change seen in the data, with the failure rate of the
-- old version before it and of the new version from it on, a test and a verdict
-- (docs/trends.md). Each rate counts only its own version's segments of that workflow or model:
-- the old version in the `change_before_days` days before the change, the new version in the
-- `change_after_days` days from the day of the change on (fewer while they have not passed).
-- The test and verdict compare the two versions within strata of what ran with them: the other
-- kind's value and version class (a workflow's segments by model and model version, and the
-- other way round), where a version belongs to the class of the one it replaced unless its own
-- change is significant (macros/trends/version_strata.sql), and the scene type. So a model
-- change is not credited with the effect of a workflow change in the same days, nor with scenes
-- that stopped (or started) being generated with it (docs/trends.md, "Within what ran with
-- it"); segments of a stratum found on one side only are not compared (`compared_share`).
-- Each change also lists the changes of the other kind that fall in its compared days and ran
-- with it.
with recursive changes as (
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

-- Each change's compared days: the old version's before it, the new version's from it on,
-- split by the other kind's value and version.
change_days as (
    select
        changes.change_key,
        version_days.day,
        version_days.day >= changes.changed_on as is_after,
        case when changes.dimension = 'workflow' then 'model' else 'workflow' end
            as other_dimension,
        version_days.other_value,
        version_days.other_version,
        version_days.scene_type,
        version_days.total_count,
        version_days.failure_count
    from changes
    inner join version_days
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
),

windows as (
    select
        changes.change_key,
        count(distinct change_days.day) filter (where not change_days.is_after)
            as before_day_count,
        {{ filtered_sum('change_days.total_count', 'not change_days.is_after') }}
            as before_total_count,
        {{ filtered_sum('change_days.failure_count', 'not change_days.is_after') }}
            as before_failure_count,
        count(distinct change_days.day) filter (where change_days.is_after) as after_day_count,
        {{ filtered_sum('change_days.total_count', 'change_days.is_after') }}
            as after_total_count,
        {{ filtered_sum('change_days.failure_count', 'change_days.is_after') }}
            as after_failure_count
    from changes
    left join change_days
        on changes.change_key = change_days.change_key
    group by changes.change_key
),

-- The plain test on all of each version's segments, two-sided (twice the smaller tail): the
-- first draw of the version classes (below).
plain_tests as (
    select
        windows.change_key,
        {{ rate_change_p_value(
            'windows.after_failure_count', 'windows.after_total_count',
            'windows.before_failure_count', 'windows.before_total_count',
        ) }} <= {{ var('change_alpha') }} as is_flagged
    from windows
),

versions as (
    select distinct
        version_days.dimension,
        version_days.dimension_value,
        version_days.version
    from version_days
),

{{ version_strata('plain', 'plain_tests') }},

-- The changes significant within the strata of the plain classes: the classes are drawn again
-- at these, so a change that was flagged only through a concurrent one (its plain rates mix
-- the two) no longer splits the other kind's versions. A change with no stratum to compare
-- keeps its plain flag: two changes that always ran together stay apart, and neither is
-- credited with what both did.
stratified_tests as (
    select
        plain_tests.change_key,
        case
            when plain_compared.change_key is null then plain_tests.is_flagged
            else {{ stratified_p_value('plain_compared') }} <= {{ var('change_alpha') }}
        end as is_flagged
    from plain_tests
    left join plain_compared
        on plain_tests.change_key = plain_compared.change_key
),

{{ version_strata('stratified', 'stratified_tests') }},

rates as (
    select
        windows.*,
        coalesce(compared.stratum_count, 0) as stratum_count,
        coalesce(compared.before_total_count + compared.after_total_count, 0)::double precision
        / nullif(windows.before_total_count + windows.after_total_count, 0) as compared_share,
        compared.excess_failure_count,
        {{ mantel_haenszel_ratio('compared') }} as rate_ratio,
        {{ mantel_haenszel_ratio_lower('compared', 'settings.interval_z') }}
            as stratified_ratio_lower,
        {{ mantel_haenszel_ratio_upper('compared', 'settings.interval_z') }}
            as stratified_ratio_upper,
        {{ mantel_haenszel_ratio_lower('compared', 'settings.interval_z', 'pass_ratio') }}
            as stratified_pass_ratio_lower,
        {{ mantel_haenszel_ratio_upper('compared', 'settings.interval_z', 'pass_ratio') }}
            as stratified_pass_ratio_upper,
        {{ stratified_difference('compared') }} as rate_difference,
        {{ stratified_difference_bound('compared', 'settings.interval_z', '-') }}
            as rate_difference_lower,
        {{ stratified_difference_bound('compared', 'settings.interval_z', '+') }}
            as rate_difference_upper,
        {{ stratified_p_value('compared') }} as p_value,
        windows.before_failure_count::double precision
        / nullif(windows.before_total_count, 0) as rate_before,
        windows.after_failure_count::double precision
        / nullif(windows.after_total_count, 0) as rate_after,
        -- One stratum: the exact test and the MOVER-R interval on its segments, as with no
        -- strata at all.
        compared.after_failure_count::double precision
        / nullif(compared.after_total_count, 0) as compared_rate_after,
        compared.before_failure_count::double precision
        / nullif(compared.before_total_count, 0) as compared_rate_before,
        {{ wilson_lower('compared.before_failure_count', 'compared.before_total_count',
            'settings.interval_z') }} as before_lower,
        {{ wilson_upper('compared.before_failure_count', 'compared.before_total_count',
            'settings.interval_z') }} as before_upper,
        {{ wilson_lower('compared.after_failure_count', 'compared.after_total_count',
            'settings.interval_z') }} as after_lower,
        {{ wilson_upper('compared.after_failure_count', 'compared.after_total_count',
            'settings.interval_z') }} as after_upper
    from windows
    left join stratified_compared as compared
        on windows.change_key = compared.change_key
    cross join settings
),

-- The ratio's interval. One stratum: MOVER-R from the two Wilson intervals (closed form, keeps
-- its coverage at small counts), as without strata; the p-value is then Fisher's exact test.
-- Several: Greenland-Robins, with the Cochran-Mantel-Haenszel test (docs/trends.md).
ratios as (
    select
        rates.*,
        case
            when rates.stratum_count = 1
                then {{ mover_ratio_lower(
                    'rates.compared_rate_after', 'rates.after_lower', 'rates.after_upper',
                    'rates.compared_rate_before', 'rates.before_lower', 'rates.before_upper',
                ) }}
            else rates.stratified_ratio_lower
        end as rate_ratio_lower,
        case
            when rates.stratum_count = 1
                then {{ mover_ratio_upper(
                    'rates.compared_rate_after', 'rates.after_lower', 'rates.after_upper',
                    'rates.compared_rate_before', 'rates.before_lower', 'rates.before_upper',
                ) }}
            else rates.stratified_ratio_upper
        end as rate_ratio_upper,
        -- The pass rates' ratio, the same way (a pass rate's Wilson bounds are one minus the
        -- failure rate's, swapped).
        case
            when rates.stratum_count = 1
                then {{ mover_ratio_lower(
                    '1 - rates.compared_rate_after', '1 - rates.after_upper',
                    '1 - rates.after_lower', '1 - rates.compared_rate_before',
                    '1 - rates.before_upper', '1 - rates.before_lower',
                ) }}
            else rates.stratified_pass_ratio_lower
        end as pass_ratio_lower,
        case
            when rates.stratum_count = 1
                then {{ mover_ratio_upper(
                    '1 - rates.compared_rate_after', '1 - rates.after_upper',
                    '1 - rates.after_lower', '1 - rates.compared_rate_before',
                    '1 - rates.before_upper', '1 - rates.before_lower',
                ) }}
            else rates.stratified_pass_ratio_upper
        end as pass_ratio_upper
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
        ratios.pass_ratio_lower,
        ratios.pass_ratio_upper,
        ratios.rate_difference,
        ratios.rate_difference_lower,
        ratios.rate_difference_upper,
        ratios.p_value,
        ratios.stratum_count,
        ratios.compared_share,
        case
            -- No segments on a side, or none that ran with the same kind of other version on
            -- both: the change cannot be told apart from what changed with it.
            when ratios.stratum_count = 0 then 'insufficient_data'
            when ratios.p_value <= {{ var('change_alpha') }}
                then case
                    when ratios.excess_failure_count > 0 then 'regression'
                    else 'improvement'
                end
            -- No material change: both the failure rate's ratio and the pass rate's are known
            -- to lie within [1 / change_material_ratio, change_material_ratio] (symmetric as
            -- the pattern engine's materiality: near 100 % a failure ratio cannot show a
            -- breakage, 80 % -> 100 % is 1.25, but the pass rate's ratio can, 20 % -> 0 %),
            -- or the rates are known to differ by at most change_material_difference (near
            -- 0 % a ratio is unstable: 2 failures against 3 in thousands of segments).
            when
                (
                    ratios.rate_ratio_lower >= 1.0 / {{ var('change_material_ratio') }}
                    and ratios.rate_ratio_upper <= {{ var('change_material_ratio') }}
                    and ratios.pass_ratio_lower >= 1.0 / {{ var('change_material_ratio') }}
                    and ratios.pass_ratio_upper <= {{ var('change_material_ratio') }}
                )
                or (
                    ratios.rate_difference_lower >= -{{ var('change_material_difference') }}
                    and ratios.rate_difference_upper <= {{ var('change_material_difference') }}
                )
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
