{#- `<schema>.failure_heatmap_for_period(x_dimension, y_dimension, first_day, last_day)`: the
    heatmap of one pair of dimensions over the days first_day to last_day (both included), the
    same columns and the same method as marts.failure_heatmap over all days. It sums the pair's
    rows of `relation` (marts.daily_failure_heatmap) per cell, shrinks each cell's rate toward the
    pair's overall rate in the period with the empirical Bayes prior estimated from the period's
    cells (macros/stats/empirical_bayes.sql, exactly as failure_heatmap does it over all days),
    and flags the cells that are surfaced patterns (from failure_heatmap: patterns are found over
    all data). Over the data's whole span it returns failure_heatmap's rows for the pair
    (tests/dbt/test_dashboard_marts.py).

    The pair is asked in the fixed dimension order (x before y, as stored); cells without a
    segment in the period have no row. Created by daily_failure_heatmap's post-hook, so it
    exists whenever that mart does. A plain SQL body (not `begin atomic`): it is re-planned
    against the current tables, so dbt rebuilding either mart never invalidates it, and being a
    single stable select PostgreSQL inlines it into the caller's query (the index on
    x_dimension, y_dimension, day then applies). Readers need only SELECT on the two marts. -#}
{% macro create_failure_heatmap_for_period_function(relation) -%}
    {#- Names without the database: a copy of the database (create database ... template) must
        not point back at the original (PostgreSQL refuses cross-database references). -#}
    {%- set daily = relation.include(database=false) -%}
    {%- set function = relation.schema ~ '.failure_heatmap_for_period' -%}
    {%- set heatmap = relation.schema ~ '.failure_heatmap' -%}
    drop function if exists {{ function }}(text, text, date, date);
    create function {{ function }}(
        x_dimension_name text, y_dimension_name text, first_day date, last_day date
    )
    returns table (
        x_value text,
        y_value text,
        total_count bigint,
        failure_count bigint,
        failure_rate double precision,
        shrunk_failure_rate double precision,
        overall_rate double precision,
        prior_strength double precision,
        is_pattern boolean,
        pattern_key text
    )
    language sql stable parallel safe
    as $$
        with cells as (
            select
                daily.x_value,
                daily.y_value,
                sum(daily.total_count)::bigint as total_count,
                sum(daily.failure_count)::bigint as failure_count
            from {{ daily }} as daily
            where
                daily.x_dimension = x_dimension_name
                and daily.y_dimension = y_dimension_name
                and daily.day between first_day and last_day
            group by daily.x_value, daily.y_value
        ),

        priors as (
            select
                cells.*,
                sum(cells.failure_count) over () / sum(cells.total_count) over () as overall_rate,
                {{ beta_prior_strength(
                    'cells.failure_count', 'cells.total_count', over='over ()'
                ) }} as prior_strength
            from cells
        )

        select
            priors.x_value,
            priors.y_value,
            priors.total_count,
            priors.failure_count,
            priors.failure_count::double precision / priors.total_count as failure_rate,
            {{ shrunk_rate(
                'priors.failure_count', 'priors.total_count',
                'priors.overall_rate', 'priors.prior_strength'
            ) }}::double precision as shrunk_failure_rate,
            priors.overall_rate::double precision as overall_rate,
            priors.prior_strength,
            coalesce(heatmap.is_pattern, false) as is_pattern,
            heatmap.pattern_key
        from priors
        left join {{ heatmap }} as heatmap
            on
                heatmap.x_dimension = x_dimension_name
                and heatmap.y_dimension = y_dimension_name
                and priors.x_value = heatmap.x_value
                and priors.y_value = heatmap.y_value
    $$;
{%- endmacro %}
