-- Every workflow or model version change seen in the data: a version that runs on a day but did
-- not run on the previous day its workflow or model ran. That is the first day of a new
-- version, a rollback to an earlier one, or the start of a canary beside the old one. The
-- version it replaces (`from_version`) is the one used most on that previous day. The first
-- day a value appears is no change: there is nothing to compare with.
with split_version_days as (
    select * from {{ ref('int_version_days_aggregated') }}
    where version is not null
),

-- One row per day and version (the aggregate splits them by what ran with them).
version_days as (
    select
        split_version_days.dimension,
        split_version_days.dimension_value,
        split_version_days.version,
        split_version_days.day,
        sum(split_version_days.total_count) as total_count,
        min(split_version_days.first_evaluated_at) as first_evaluated_at
    from split_version_days
    group by
        split_version_days.dimension,
        split_version_days.dimension_value,
        split_version_days.version,
        split_version_days.day
),

value_days as (
    select
        version_days.dimension,
        version_days.dimension_value,
        version_days.day,
        lag(version_days.day) over (
            partition by version_days.dimension, version_days.dimension_value
            order by version_days.day
        ) as previous_day
    from version_days
    group by version_days.dimension, version_days.dimension_value, version_days.day
),

-- The most-used version of each day (ties: the lower version text, so the choice is stable).
main_versions as (
    select distinct on (version_days.dimension, version_days.dimension_value, version_days.day)
        version_days.dimension,
        version_days.dimension_value,
        version_days.day,
        version_days.version
    from version_days
    order by
        version_days.dimension asc,
        version_days.dimension_value asc,
        version_days.day asc,
        version_days.total_count desc,
        version_days.version asc
),

new_versions as (
    select
        version_days.dimension,
        version_days.dimension_value,
        version_days.version,
        version_days.day,
        version_days.first_evaluated_at,
        value_days.previous_day
    from version_days
    inner join value_days
        on
            version_days.dimension = value_days.dimension
            and version_days.dimension_value = value_days.dimension_value
            and version_days.day = value_days.day
    left join version_days as previous
        on
            version_days.dimension = previous.dimension
            and version_days.dimension_value = previous.dimension_value
            and version_days.version = previous.version
            and value_days.previous_day = previous.day
    where value_days.previous_day is not null and previous.day is null
),

final as (
    select
        new_versions.dimension
        || '=' || new_versions.dimension_value
        || '|' || main_versions.version || '->' || new_versions.version
        || '|' || new_versions.day::text as change_key,
        new_versions.dimension,
        new_versions.dimension_value,
        main_versions.version as from_version,
        new_versions.version as to_version,
        new_versions.day as changed_on,
        new_versions.first_evaluated_at as changed_at,
        new_versions.previous_day,
        -- Back to a version that ran before: a rollback (or a re-release of that version).
        exists(
            select 1
            from version_days as earlier
            where
                earlier.dimension = new_versions.dimension
                and earlier.dimension_value = new_versions.dimension_value
                and earlier.version = new_versions.version
                and earlier.day < new_versions.previous_day
        ) as is_rollback
    from new_versions
    inner join main_versions
        on
            new_versions.dimension = main_versions.dimension
            and new_versions.dimension_value = main_versions.dimension_value
            and new_versions.previous_day = main_versions.day
)

select * from final
