-- Which recorded fix a resolved pattern's fall is credited to: the latest fix of the pattern
-- recorded from the longest recent window (var pattern_window_days) before the fall up to the
-- day after it (a fix is often written down a day late). One row per resolved pattern with
-- such a fix. failure_patterns names it; fix_effectiveness counts the fix as verified, because
-- the pattern's resolution is a positive test that it is back at baseline. See
-- docs/alerts.md, "Did the fix work?".
with statuses as (
    select * from {{ ref('int_pattern_statuses') }}
),

fixes as (
    select * from {{ ref('stg_app__pattern_fixes') }}
),

final as (
    select distinct on (statuses.pattern_key)
        statuses.pattern_key,
        fixes.fix_id as resolved_by_fix_id,
        statuses.status_since as resolved_on
    from statuses
    inner join fixes
        on statuses.pattern_key = fixes.pattern_key
    where
        statuses.status = 'resolved'
        and (fixes.fixed_at at time zone 'UTC')::date
        between statuses.status_since - {{ var('pattern_window_days') | max }}
        and statuses.status_since + 1
    order by statuses.pattern_key asc, fixes.fixed_at desc, fixes.fix_id desc
)

select * from final
