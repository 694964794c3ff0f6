-- Stand-ins for marts.daily_failure_trends and marts.change_events with the columns of
-- ARCHITECTURE.md, for testing the Trends page until trend tracking lands. The numbers are
-- simple (baseline = mean of the 14 days before; a flag when the day is 2x off with 50+
-- segments), not trend tracking's method; only the page's rendering is under test.
create table marts.daily_failure_trends as
with series as (
    select day, 'overall' as dimension, 'overall' as dimension_value, is_failed
    from staging.int_segments_outcomes_derived
    union all
    select day, 'model', model, is_failed from staging.int_segments_outcomes_derived
    union all
    select day, 'workflow', workflow, is_failed from staging.int_segments_outcomes_derived
),

daily as (
    select
        day, dimension, dimension_value,
        count(*) as total_count,
        count(*) filter (where is_failed) as failure_count
    from series
    group by day, dimension, dimension_value
),

rated as (
    select
        daily.*,
        daily.failure_count::double precision / daily.total_count as failure_rate,
        (sum(daily.failure_count) over prior_days)::double precision
            / nullif(sum(daily.total_count) over prior_days, 0) as baseline_rate
    from daily
    window prior_days as (
        partition by dimension, dimension_value order by day
        rows between 14 preceding and 1 preceding
    )
)

select
    day, dimension, dimension_value, total_count, failure_count, failure_rate, baseline_rate,
    coalesce(failure_rate > 2 * baseline_rate and total_count >= 50, false) as regression_flag,
    coalesce(failure_rate < baseline_rate / 2 and total_count >= 50, false) as improvement_flag
from rated;

create table marts.change_events as
with versions as (
    select 'model' as dimension, model as dimension_value, model_version as version, day
    from staging.int_segments_outcomes_derived
    union all
    select 'workflow', workflow, workflow_version, day
    from staging.int_segments_outcomes_derived
),

first_days as (
    select dimension, dimension_value, version, min(day) as first_day
    from versions
    group by dimension, dimension_value, version
),

ordered as (
    select
        first_days.*,
        lag(version) over (partition by dimension, dimension_value order by first_day)
            as from_version
    from first_days
)

select
    dimension, dimension_value, from_version, version as to_version,
    first_day::timestamptz as changed_at,
    0.06::double precision as rate_before, 0.25::double precision as rate_after,
    100::bigint as before_count, 100::bigint as after_count, 0.001::double precision as p_value,
    'regression'::text as verdict
from ordered
where from_version is not null;
