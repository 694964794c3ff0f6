{{ config(indexes=[{'columns': ['combination_key'], 'unique': true}]) }}

-- Background failure rates: every combination of 1 to 3 dimensions (as in
-- combination_failure_rates), counting only the segments outside every current pattern, shrunk
-- level by level (hierarchical empirical Bayes): a single value toward the overall background
-- rate, a pair toward the mean of its two single values, a triple toward the mean of its three
-- pairs. Each dimension set has its own prior strength (method of moments). Combinations whose
-- segments all lie in patterns have no background segments and get their prior. The
-- configuration check (failmap.alerts) predicts from these; method in docs/alerts.md.
-- `current_total_count` / `current_failure_count` are all the combination's segments on the
-- cells' current days (inside patterns too): how a value fares within a pattern now
-- (configuration_rates).
with combinations as (
    select * from {{ ref('combination_failure_rates') }}
),

cells as (
    select * from {{ ref('int_cells_patterns_matched') }}
),

current_combinations as (
    {{ select_combinations('cells', pattern_dimension_sets(3), background_unless='is_in_pattern') }}
),

current_keyed as (
    select
        {{ combination_key('current_combinations') }} as combination_key,
        current_combinations.total_count,
        current_combinations.failure_count,
        current_combinations.background_total_count,
        current_combinations.background_failure_count
    from current_combinations
),

overall as (
    select
        coalesce(
            sum(cells.failure_count) filter (where not cells.is_in_pattern)::double precision
            / nullif(sum(cells.segment_count) filter (where not cells.is_in_pattern), 0),
            sum(cells.failure_count)::double precision / nullif(sum(cells.segment_count), 0)
        ) as background_rate
    from cells
),

counted as (
    select
        combinations.combination_key,
        {%- for dimension in pattern_dimensions() %}
            combinations.dimension_{{ dimension }},
        {%- endfor %}
        combinations.dimension_count,
        {{ dimension_set('combinations') }} as dimension_set,
        combinations.total_count,
        combinations.failure_count,
        coalesce(current_keyed.total_count, 0)::bigint as current_total_count,
        coalesce(current_keyed.failure_count, 0)::bigint as current_failure_count,
        coalesce(current_keyed.background_total_count, 0)::bigint as background_total_count,
        coalesce(current_keyed.background_failure_count, 0)::bigint as background_failure_count
    from combinations
    left join current_keyed
        on combinations.combination_key = current_keyed.combination_key
),

{%- for level in [1, 2, 3] %}

    level_{{ level }}_priors as (
        {%- if level == 1 %}
            select
                counted.combination_key,
                overall.background_rate as prior_rate
            from counted
            cross join overall
            where counted.dimension_count = 1
        {%- else %}
            select
                parent_links.combination_key,
                avg(parents.background_rate) as prior_rate
            from (
                {%- for dimension in pattern_dimensions() %}
                    {%- if not loop.first %}
                        union all
                    {%- endif %}
                    select
                        counted.combination_key,
                        {{ combination_key('counted', without=dimension) }} as parent_key
                    from counted
                    where
                        counted.dimension_count = {{ level }}
                        and counted.dimension_{{ dimension }} is not null
                {%- endfor %}
            ) as parent_links
            inner join level_{{ level - 1 }} as parents
                on parent_links.parent_key = parents.combination_key
            group by parent_links.combination_key
        {%- endif %}
    ),

    level_{{ level }}_dispersions as (
        select
            counted.*,
            level_{{ level }}_priors.prior_rate,
            {{ overdispersion(
                'counted.background_failure_count',
                'counted.background_total_count',
                'level_' ~ level ~ '_priors.prior_rate',
                over='over (partition by counted.dimension_set)'
            ) }} as dispersion
        from counted
        inner join level_{{ level }}_priors
            on counted.combination_key = level_{{ level }}_priors.combination_key
    ),

    level_{{ level }} as (
        select
            level_{{ level }}_dispersions.*,
            {{ prior_strength_from('level_' ~ level ~ '_dispersions.dispersion') }}
                as prior_strength,
            {{ shrunk_toward(
                'level_' ~ level ~ '_dispersions.background_failure_count',
                'level_' ~ level ~ '_dispersions.background_total_count',
                'level_' ~ level ~ '_dispersions.prior_rate',
                prior_strength_from('level_' ~ level ~ '_dispersions.dispersion')
            ) }} as background_rate
        from level_{{ level }}_dispersions
    ),
{%- endfor %}

final as (
    {%- for level in [1, 2, 3] %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            level_{{ level }}.combination_key,
            {%- for dimension in pattern_dimensions() %}
                level_{{ level }}.dimension_{{ dimension }},
            {%- endfor %}
            level_{{ level }}.dimension_count,
            level_{{ level }}.dimension_set,
            level_{{ level }}.total_count,
            level_{{ level }}.failure_count,
            level_{{ level }}.current_total_count,
            level_{{ level }}.current_failure_count,
            level_{{ level }}.background_total_count,
            level_{{ level }}.background_failure_count,
            level_{{ level }}.prior_rate::double precision as prior_rate,
            level_{{ level }}.dispersion::double precision as dispersion,
            level_{{ level }}.prior_strength::double precision as prior_strength,
            level_{{ level }}.background_rate::double precision as background_rate
        from level_{{ level }}
    {%- endfor %}
)

select * from final
