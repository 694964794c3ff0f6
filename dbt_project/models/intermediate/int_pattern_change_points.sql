-- Change points of every surfaced pattern's daily series (the per-day cube): the day splitting
-- the series into two rates with the largest likelihood ratio, separately for a rise and for
-- a fall, each kept when its exact one-sided test (Fisher: the later days hold more, or fewer,
-- of the failures than their share), times the number of days it could have been on
-- (Bonferroni), is <= var('fdr'). int_pattern_statuses dates and labels the patterns with
-- them. One row per pattern and direction found. See docs/patterns.md, "Time".
with pattern_days as (
    select * from {{ ref('int_pattern_days_aggregated') }}
),

-- Running sums: what lies before each day (the day excluded) and from it on.
running as (
    select
        pattern_days.*,
        sum(pattern_days.segment_count) over (
            partition by pattern_days.pattern_key order by pattern_days.day
            rows between unbounded preceding and 1 preceding
        ) as before_total_count,
        sum(pattern_days.failure_count) over (
            partition by pattern_days.pattern_key order by pattern_days.day
            rows between unbounded preceding and 1 preceding
        ) as before_failure_count,
        sum(pattern_days.segment_count) over (partition by pattern_days.pattern_key)
            as all_total_count,
        sum(pattern_days.failure_count) over (partition by pattern_days.pattern_key)
            as all_failure_count,
        count(*) over (partition by pattern_days.pattern_key) as day_count,
        min(pattern_days.day) over (partition by pattern_days.pattern_key) as first_day
    from pattern_days
),

splits as (
    select
        running.pattern_key,
        running.day,
        running.first_day,
        running.day_count,
        running.before_total_count,
        running.before_failure_count,
        running.all_total_count,
        running.all_failure_count,
        running.before_failure_count::double precision
        / running.before_total_count as before_rate,
        (running.all_failure_count - running.before_failure_count)::double precision
        / (running.all_total_count - running.before_total_count) as after_rate,
        {{ binomial_log_likelihood('running.before_failure_count', 'running.before_total_count') }}
        + {{ binomial_log_likelihood(
            'running.all_failure_count - running.before_failure_count',
            'running.all_total_count - running.before_total_count'
        ) }}
        - {{ binomial_log_likelihood('running.all_failure_count', 'running.all_total_count') }}
            as log_likelihood_ratio
    from running
    where running.before_total_count > 0
),

-- The best split in each direction (largest likelihood ratio), then an exact test of it:
-- one-sided Fisher (the later days hold more, or fewer, of the failures than their share),
-- Bonferroni over the days the split could have been on.
directed_splits as (
    select
        splits.*,
        splits.after_rate > splits.before_rate as is_rise
    from splits
    where splits.after_rate != splits.before_rate
),

best_splits as (
    select distinct on (directed_splits.pattern_key, directed_splits.is_rise)
        directed_splits.pattern_key,
        directed_splits.day,
        directed_splits.day_count,
        directed_splits.before_total_count,
        directed_splits.before_failure_count,
        directed_splits.all_total_count,
        directed_splits.all_failure_count,
        directed_splits.before_rate,
        directed_splits.after_rate,
        directed_splits.log_likelihood_ratio,
        directed_splits.is_rise
    from directed_splits
    order by
        directed_splits.pattern_key asc,
        directed_splits.is_rise asc,
        directed_splits.log_likelihood_ratio desc,
        directed_splits.day desc
),

tested_splits as (
    select
        best_splits.*,
        case
            when best_splits.is_rise then {{ hypergeometric_sf(
                'best_splits.all_failure_count - best_splits.before_failure_count',
                'best_splits.all_total_count - best_splits.before_total_count',
                'best_splits.all_failure_count',
                'best_splits.all_total_count'
            ) }}
            else {{ hypergeometric_sf(
                'best_splits.before_failure_count',
                'best_splits.before_total_count',
                'best_splits.all_failure_count',
                'best_splits.all_total_count'
            ) }}
        end * greatest(best_splits.day_count - 1, 1) as adjusted_p_value
    from best_splits
),

final as (
    select
        tested_splits.pattern_key,
        case when tested_splits.is_rise then 'rise' else 'fall' end as direction,
        tested_splits.day,
        tested_splits.before_rate,
        tested_splits.after_rate,
        tested_splits.log_likelihood_ratio,
        least(tested_splits.adjusted_p_value, 1.0) as adjusted_p_value
    from tested_splits
    where tested_splits.adjusted_p_value <= {{ var('fdr') }}
)

select * from final
