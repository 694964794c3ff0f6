-- Every pair of dimensions and their values (the 2-dimension combinations, x before y in the
-- fixed dimension order) with counts, the raw rate, a rate shrunk toward the overall rate by
-- empirical Bayes (so a 2-of-3 cell does not outrank a 300-of-1000 cell) and whether the cell
-- is a surfaced pattern (itself or under an alias: combination_failure_rates' pattern_key).
with combinations as (
    select * from {{ ref('combination_failure_rates') }}
),

pairs as (
    {%- for x_dimension, y_dimension in pattern_dimension_sets(2, 2) %}
        {%- if not loop.first %}

            union all
        {% endif %}
        select
            '{{ x_dimension }}'::text as x_dimension,
            combinations.dimension_{{ x_dimension }} as x_value,
            '{{ y_dimension }}'::text as y_dimension,
            combinations.dimension_{{ y_dimension }} as y_value,
            combinations.combination_key,
            combinations.total_count,
            combinations.failure_count,
            combinations.failure_rate,
            combinations.pattern_key
        from combinations
        where
            combinations.dimension_count = 2
            and combinations.dimension_{{ x_dimension }} is not null
            and combinations.dimension_{{ y_dimension }} is not null
    {%- endfor %}
),

priors as (
    select
        pairs.*,
        sum(pairs.failure_count) over (partition by pairs.x_dimension, pairs.y_dimension)
        / sum(pairs.total_count) over (partition by pairs.x_dimension, pairs.y_dimension)
            as overall_rate,
        {{ beta_prior_strength(
            'pairs.failure_count', 'pairs.total_count',
            over='over (partition by pairs.x_dimension, pairs.y_dimension)'
        ) }} as prior_strength
    from pairs
),

final as (
    select
        priors.x_dimension,
        priors.x_value,
        priors.y_dimension,
        priors.y_value,
        priors.combination_key,
        priors.total_count,
        priors.failure_count,
        priors.failure_rate,
        {{ shrunk_rate(
            'priors.failure_count', 'priors.total_count',
            'priors.overall_rate', 'priors.prior_strength'
        ) }}::double precision as shrunk_failure_rate,
        priors.overall_rate::double precision as overall_rate,
        priors.prior_strength,
        priors.pattern_key is not null as is_pattern,
        priors.pattern_key
    from priors
)

select * from final
