{#- The best split of each pattern's daily series in `days` (a relation or CTE of pattern_key,
    day, segment_count, failure_count), for a rise and for a fall: the day that splits the
    series into two rates with the largest binomial likelihood ratio, then its exact one-sided
    test (Fisher: the later days hold more, or fewer, of the failures than their share), times
    the number of days it could have been on (Bonferroni over the days of `days`). One row per
    pattern and direction, significant or not (`adjusted_p_value`); `is_rise`. Ties go to the
    later day. int_pattern_change_points calls it on the whole series and on the days after a
    change point. -#}
{% macro pattern_best_splits(days) %}
    (
        with running as (
            select
                split_days.pattern_key,
                split_days.day,
                sum(split_days.segment_count) over (
                    partition by split_days.pattern_key order by split_days.day
                    rows between unbounded preceding and 1 preceding
                ) as before_total_count,
                sum(split_days.failure_count) over (
                    partition by split_days.pattern_key order by split_days.day
                    rows between unbounded preceding and 1 preceding
                ) as before_failure_count,
                sum(split_days.segment_count) over (partition by split_days.pattern_key)
                    as all_total_count,
                sum(split_days.failure_count) over (partition by split_days.pattern_key)
                    as all_failure_count,
                count(*) over (partition by split_days.pattern_key) as day_count,
                min(split_days.day) over (partition by split_days.pattern_key) as first_day
            from {{ days }} as split_days
        ),

        splits as (
            select
                running.*,
                running.before_failure_count::double precision
                / running.before_total_count as before_rate,
                (running.all_failure_count - running.before_failure_count)::double precision
                / (running.all_total_count - running.before_total_count) as after_rate,
                {{ binomial_log_likelihood(
                    'running.before_failure_count', 'running.before_total_count'
                ) }}
                + {{ binomial_log_likelihood(
                    'running.all_failure_count - running.before_failure_count',
                    'running.all_total_count - running.before_total_count'
                ) }}
                - {{ binomial_log_likelihood(
                    'running.all_failure_count', 'running.all_total_count'
                ) }}
                    as log_likelihood_ratio
            from running
            where running.before_total_count > 0
        ),

        best as (
            select distinct on (splits.pattern_key, splits.after_rate > splits.before_rate)
                splits.*,
                splits.after_rate > splits.before_rate as is_rise
            from splits
            where splits.after_rate != splits.before_rate
            order by
                splits.pattern_key asc,
                splits.after_rate > splits.before_rate asc,
                splits.log_likelihood_ratio desc,
                splits.day desc
        )

        select
            best.pattern_key,
            best.day,
            best.is_rise,
            best.first_day,
            best.before_total_count,
            best.before_failure_count,
            best.before_rate,
            best.after_rate,
            best.log_likelihood_ratio,
            least(
                case
                    when best.is_rise then {{ hypergeometric_sf(
                        'best.all_failure_count - best.before_failure_count',
                        'best.all_total_count - best.before_total_count',
                        'best.all_failure_count',
                        'best.all_total_count'
                    ) }}
                    else {{ hypergeometric_sf(
                        'best.before_failure_count',
                        'best.before_total_count',
                        'best.all_failure_count',
                        'best.all_total_count'
                    ) }}
                end * greatest(best.day_count - 1, 1),
                1.0
            ) as adjusted_p_value
        from best
    )
{% endmacro %}

{#- Whether a split of pattern_best_splits is kept as a change point: significant, and a rise
    only when material or a start: its rate after at least var('min_risk_ratio') times its rate
    before, or its rate before not yet var('min_risk_ratio') times the rest's (`rest_before`,
    from change_rest_before). See int_pattern_change_points. -#}
{% macro pattern_change_kept(splits, rest_before) -%}
    {{ splits }}.adjusted_p_value <= {{ var('fdr') }}
    and (
        not {{ splits }}.is_rise
        or {{ splits }}.after_rate >= {{ var('min_risk_ratio') }} * {{ splits }}.before_rate
        or coalesce(
            {{ splits }}.before_rate < {{ var('min_risk_ratio') }} * {{ rest_before }}.failure_rate,
            true
        )
    )
{%- endmacro %}

{#- The rest's failure rate before a split, for pattern_change_kept: every segment but the
    pattern's (day_totals and pattern_days, each day, segment_count, failure_count) on the days
    its before side covers; when nothing else ran on those days (on the LAMMPS results the
    regression suite's first day ran alone), on every day before the split. Null when nothing
    else ran before it at all. -#}
{% macro change_rest_before(splits) -%}
    select
        coalesce(
            (totals.window_failure_count - {{ splits }}.before_failure_count)::double precision
            / nullif(totals.window_segment_count - {{ splits }}.before_total_count, 0),
            (totals.failure_count - own.failure_count)::double precision
            / nullif(totals.segment_count - own.segment_count, 0)
        ) as failure_rate
    from (
        select
            sum(day_totals.segment_count) filter (
                where day_totals.day >= {{ splits }}.first_day
            ) as window_segment_count,
            sum(day_totals.failure_count) filter (
                where day_totals.day >= {{ splits }}.first_day
            ) as window_failure_count,
            sum(day_totals.segment_count) as segment_count,
            sum(day_totals.failure_count) as failure_count
        from day_totals
        where day_totals.day < {{ splits }}.day
    ) as totals
    cross join (
        select
            sum(own_days.segment_count) as segment_count,
            sum(own_days.failure_count) as failure_count
        from pattern_days as own_days
        where
            own_days.pattern_key = {{ splits }}.pattern_key
            and own_days.day < {{ splits }}.day
    ) as own
{%- endmacro %}
