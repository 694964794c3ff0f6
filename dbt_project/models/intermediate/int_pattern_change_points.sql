-- The latest significant rise and fall of every surfaced pattern's daily series (the per-day
-- cube). int_pattern_statuses dates and labels the patterns with them. See docs/patterns.md,
-- "Time".
--   First over the whole series: for a rise and for a fall, the day splitting it into two
--       rates with the largest likelihood ratio, kept when its exact one-sided test (Fisher:
--       the later days hold more, or fewer, of the failures than their share), times the
--       number of days it could have been on (Bonferroni), is <= var('fdr')
--       (macro pattern_best_splits).
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

level_1 as (
    select
        splits.*,
        null::date as found_after,
        1 as level
    from {{ pattern_best_splits('pattern_days') }} as splits
    where splits.adjusted_p_value <= {{ var('fdr') }}
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
        where splits.adjusted_p_value <= {{ var('fdr') }}
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
