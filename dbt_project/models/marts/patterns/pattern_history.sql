{{
    config(
        materialized='incremental',
        unique_key='pattern_key',
        incremental_strategy='merge',
        on_schema_change='append_new_columns',
        full_refresh=false,
    )
}}

-- Every pattern that ever surfaced, kept across refreshes: when it was first detected, last
-- seen and resolved (the first refresh in which it no longer surfaced). A pattern that
-- surfaces again is reopened (resolved_at back to null); first_detected_at never changes.
-- Re-running a refresh on the same data changes only last_seen_at.
with candidates as (
    select * from {{ ref('int_patterns_surfaced') }}
),

statuses as (
    select * from {{ ref('int_pattern_statuses') }}
),

surfaced as (
    select
        candidates.pattern_key,
        statuses.started_on
    from candidates
    left join statuses
        on candidates.pattern_key = statuses.pattern_key
    where candidates.verdict = 'surfaced'
),

previous as (
    {% if is_incremental() %}
        select * from {{ this }}
    {% else %}
        select
            null::text as pattern_key,
            null::timestamptz as first_detected_at,
            null::timestamptz as last_seen_at,
            null::timestamptz as resolved_at,
            null::date as started_on
        where false
    {% endif %}
),

refreshed as (
    select '{{ run_started_at.isoformat() }}'::timestamptz as refreshed_at
),

final as (
    select
        coalesce(surfaced.pattern_key, previous.pattern_key) as pattern_key,
        coalesce(previous.first_detected_at, refreshed.refreshed_at) as first_detected_at,
        case
            when surfaced.pattern_key is not null then refreshed.refreshed_at
            else previous.last_seen_at
        end as last_seen_at,
        case
            when surfaced.pattern_key is not null then null
            else coalesce(previous.resolved_at, refreshed.refreshed_at)
        end as resolved_at,
        surfaced.pattern_key is not null as is_active,
        -- The first day of the run of elevated days (int_pattern_statuses), the earliest seen.
        least(previous.started_on, surfaced.started_on) as started_on
    from surfaced
    full outer join previous
        on surfaced.pattern_key = previous.pattern_key
    cross join refreshed
)

select * from final
