-- The latest significant rise and fall of every surfaced pattern's daily series (the per-day
-- cube). int_pattern_statuses dates and labels the patterns with them. See docs/patterns.md,
-- "Time".
--   First over the whole series: for a rise and for a fall, the day splitting it into two
--       rates with the largest likelihood ratio, kept when its exact one-sided test (Fisher:
--       the later days hold more, or fewer, of the failures than their share), times the
--       number of days it could have been on (Bonferroni), is <= var('fdr')
--       (macro pattern_best_splits). A rise is kept when material (its rate after at least
--       var('min_risk_ratio') times its rate before: a sharp worsening) or a start (its rate
--       before not yet var('min_risk_ratio') times the rest's over the same days, or before it
--       when nothing else ran then); a small
--       step of a pattern that already failed is neither (macro pattern_change_kept). Huge
--       counts make small steps significant: on a year of demo data character=c14, at 22 % all
--       year, read "active since 2026-11-29" for 22.4 % -> 24.2 %; on the LAMMPS results
--       workflow=full-regression read "since 2026-07-28" (45 % -> 57 %, when two more builds
--       joined) though it failed from its first day, 07-27. The best split is judged, not the
--       best kept one: that would date a start to whichever short tail of noisy days crosses
--       the ratio.
--   Then, up to var('pattern_change_depth') - 1 times, the days from the later change point
--       on are searched the same way for a change the other way. A pattern that fell and
--       rose again (a fix that did not hold, a regression brought back) is dated by its new
--       rise: over the whole series the old failures before the fall make the new ones look
--       ordinary (a LoRA back at 27 % for four days after a month at 10 % following 25 % was
--       still `resolved`, its fix `verified`). Only the other way: a second fall after a fall
--       is mostly a change of what ran (on the LAMMPS results a day on which failing inputs
--       did not run), and the strongest change of each direction already dates it.
-- One row per pattern and direction: the latest found. `found_after` is the change point whose
-- later days it was found in (null: the whole series).
{%- set depth = var('pattern_change_depth') %}

with pattern_days as (
    select * from {{ ref('int_pattern_days_aggregated') }}
),

-- Every segment per day: trend tracking's `overall` series (already summed from the cube).
trend_days as (
    select * from {{ ref('int_trend_days_aggregated') }}
),

day_totals as (
    {{ overall_day_totals('trend_days') }}
),

level_1 as (
    select
        splits.*,
        null::date as found_after,
        1 as level
    from {{ pattern_best_splits('pattern_days') }} as splits
    cross join
        lateral (
            {{ change_rest_before('splits') }}
        ) as rest_before
    where {{ pattern_change_kept('splits', 'rest_before') }}
),

{%- for level in range(2, depth + 1) %}

    -- The later change point found so far, whose days are searched for a change the other way.
    latest_{{ level - 1 }} as (
        select distinct on (level_{{ level - 1 }}.pattern_key)
            level_{{ level - 1 }}.pattern_key,
            level_{{ level - 1 }}.day,
            level_{{ level - 1 }}.is_rise
        from level_{{ level - 1 }}
        order by level_{{ level - 1 }}.pattern_key asc, level_{{ level - 1 }}.day desc
    ),

    days_after_{{ level - 1 }} as (
        select pattern_days.*
        from pattern_days
        inner join latest_{{ level - 1 }}
            on
                pattern_days.pattern_key = latest_{{ level - 1 }}.pattern_key
                and pattern_days.day >= latest_{{ level - 1 }}.day
    ),

    level_{{ level }} as (
        select
            splits.*,
            latest_{{ level - 1 }}.day as found_after,
            {{ level }} as level
        from {{ pattern_best_splits('days_after_' ~ (level - 1)) }} as splits
        inner join latest_{{ level - 1 }}
            on
                splits.pattern_key = latest_{{ level - 1 }}.pattern_key
                and splits.is_rise != latest_{{ level - 1 }}.is_rise
        cross join
            lateral (
                {{ change_rest_before('splits') }}
            ) as rest_before
        where {{ pattern_change_kept('splits', 'rest_before') }}
    ),
{%- endfor %}

found as (
    {%- for level in range(1, depth + 1) %}
        select * from level_{{ level }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select distinct on (found.pattern_key, found.is_rise)
        found.pattern_key,
        case when found.is_rise then 'rise' else 'fall' end as direction,
        found.day,
        found.before_rate,
        found.after_rate,
        found.log_likelihood_ratio,
        found.adjusted_p_value,
        found.found_after
    from found
    order by found.pattern_key asc, found.is_rise asc, found.level desc
)

select * from final
