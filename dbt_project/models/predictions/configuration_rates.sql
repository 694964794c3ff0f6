{{ config(indexes=[{'columns': ['configuration_key'], 'unique': true}]) }}

-- One row per full configuration seen in the data (all six dimension values, the position as
-- its bucket) with its predicted failure rate: its own counts shrunk toward a prior rate, the
-- higher of (a) the failure rate of the surfaced patterns it lies in and (b) its background
-- rate, the mean of the background rates of its 20 three-dimension sub-combinations
-- (background_rates). The configuration strength M is one number for all configurations,
-- estimated by the method of moments from how far configurations stray from their prior rates.
-- When the prior is a pattern's rate now, measured on N segments, the prior is no stronger than
-- that evidence: its variance is the configurations' spread plus the rate's own sampling
-- variance, 1/(M' + 1) = 1/(M + 1) + 1/N. The configuration check (failmap.alerts) computes the
-- same for configurations not seen yet; docs/alerts.md.
{%- set triples = pattern_dimension_sets(3, 3) %}

with cells as (
    select * from {{ ref('int_cells_patterns_matched') }}
),

background as (
    select * from {{ ref('background_rates') }}
),

configurations as (
    select
        {%- for dimension in pattern_dimensions() %}
            cells.{{ dimension }} as dimension_{{ dimension }},
        {%- endfor %}
        cells.segment_count as total_count,
        cells.failure_count,
        cells.pattern_keys,
        cells.pattern_failure_rate,
        cells.pattern_segment_count,
        cells.is_in_pattern
    from cells
),

keyed as (
    select
        {{ combination_key('configurations') }} as configuration_key,
        configurations.*
    from configurations
),

sub_combinations as (
    {%- for triple in triples %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            keyed.configuration_key,
            {{ sub_combination_key('keyed', triple) }} as combination_key
        from keyed
    {%- endfor %}
),

background_means as (
    select
        sub_combinations.configuration_key,
        avg(background.background_rate) as background_rate
    from sub_combinations
    inner join background
        on sub_combinations.combination_key = background.combination_key
    group by sub_combinations.configuration_key
),

priors as (
    select
        keyed.*,
        background_means.background_rate,
        greatest(keyed.pattern_failure_rate, background_means.background_rate) as prior_rate
    from keyed
    inner join background_means
        on keyed.configuration_key = background_means.configuration_key
),

dispersions as (
    select
        priors.*,
        {{ overdispersion(
            'priors.failure_count', 'priors.total_count', 'priors.prior_rate', over='over ()'
        ) }} as dispersion,
        sum(priors.total_count) over () as all_segment_count
    from priors
),

-- With no spread beyond chance the prior is as strong as all the data behind it (never
-- stronger): a configuration's own segments then barely move its prediction.
configuration_strengths as (
    select
        dispersions.*,
        least(
            coalesce(
                {{ prior_strength_from('dispersions.dispersion') }},
                dispersions.all_segment_count
            ),
            dispersions.all_segment_count
        ) as configuration_strength
    from dispersions
),

-- A pattern's rate now may rest on a few dozen segments (an emerging pattern's days since its
-- rise): as a prior it weighs no more than those segments say (at least 0).
strengths as (
    select
        configuration_strengths.*,
        case
            when
                configuration_strengths.pattern_failure_rate
                > configuration_strengths.background_rate
                and configuration_strengths.pattern_segment_count > 0
                then greatest(
                    1.0 / (
                        1.0 / (configuration_strengths.configuration_strength + 1)
                        + 1.0 / configuration_strengths.pattern_segment_count
                    ) - 1,
                    0
                )
            else configuration_strengths.configuration_strength
        end as prior_strength
    from configuration_strengths
),

final as (
    select
        strengths.configuration_key,
        {%- for dimension in pattern_dimensions() %}
            strengths.dimension_{{ dimension }},
        {%- endfor %}
        strengths.total_count,
        strengths.failure_count,
        strengths.failure_count::double precision / strengths.total_count as failure_rate,
        strengths.pattern_keys,
        strengths.pattern_failure_rate::double precision as pattern_failure_rate,
        strengths.pattern_segment_count::bigint as pattern_segment_count,
        strengths.background_rate::double precision as background_rate,
        strengths.prior_rate::double precision as prior_rate,
        strengths.dispersion::double precision as dispersion,
        strengths.configuration_strength::double precision as configuration_strength,
        strengths.prior_strength::double precision as prior_strength,
        {{ shrunk_toward(
            'strengths.failure_count', 'strengths.total_count',
            'strengths.prior_rate', 'strengths.prior_strength'
        ) }} as predicted_failure_rate
    from strengths
)

select * from final
