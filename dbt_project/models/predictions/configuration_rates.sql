{{ config(indexes=[{'columns': ['configuration_key'], 'unique': true}]) }}

-- One row per full configuration seen in the data (all six dimension values, the position as
-- its bucket) with its predicted failure rate: its own counts shrunk toward a prior rate, the
-- higher of (a) the rate of the pattern that governs it, adjusted to the configuration's own
-- values, and (b) its background rate, the mean of the background rates of its 20
-- three-dimension sub-combinations (background_rates).
-- A pattern's rate is a mix of what its configurations do: `workflow=full-regression` at 55 %
-- holds one model at 28 % and another at 75 %. So the pattern's rate now is shifted by how
-- each of the configuration's other values fares within the pattern now: the log-odds of
-- (pattern + that value) minus the log-odds of the pattern, on current days, the value's rate
-- shrunk toward the pattern's rate with one strength for all values in patterns (method of
-- moments). Only for patterns of 1 or 2 dimensions (pattern + value must be a combination of
-- background_rates); a value that fares as its pattern shifts nothing.
-- The configuration strength M is one number for all configurations, estimated by the method
-- of moments from how far configurations stray from their prior rates. When the prior is a
-- pattern's rate now, measured on N segments, the prior is no stronger than that evidence: its
-- variance is the configurations' spread plus the rate's own sampling variance,
-- 1/(M' + 1) = 1/(M + 1) + 1/N. The configuration check (failmap.alerts) computes the same for
-- configurations not seen yet; docs/alerts.md.
{%- set triples = pattern_dimension_sets(3, 3) %}

with cells as (
    select * from {{ ref('int_cells_patterns_matched') }}
),

-- `not materialized`: read in place, so the planner joins with the table's statistics. As a
-- materialized CTE (it is read four times) it had none, and at a year of data the planner
-- sorted the configurations' 20 sub-combination keys (up to 1.3M rows) on disk to merge-join
-- them: 1.1 s against 0.5 s hashed at 28k configurations (2.2-2.5 s at 64k).
background as not materialized (
    select * from {{ ref('background_rates') }}
),

patterns as (
    select * from {{ ref('int_patterns_ranked') }}
),

configurations as (
    select
        {%- for dimension in pattern_dimensions() %}
            cells.{{ dimension }} as dimension_{{ dimension }},
        {%- endfor %}
        cells.segment_count as total_count,
        cells.failure_count,
        cells.pattern_keys,
        cells.governing_pattern_key,
        cells.pattern_failure_rate,
        cells.pattern_segment_count,
        cells.is_in_pattern
    from cells
),

keyed as (
    select
        {{ combination_key('configurations') }} as configuration_key,
        configurations.*,
        -- The governing pattern's rate now as an estimate of its true rate: (x + 1/2) / (N + 1),
        -- never 0 or 1 (a pattern failing 20 of 20 is not known to fail 100 %: as 1, a
        -- configuration never seen got an interval of 100 %-100 %). failmap.alerts: rate_estimate.
        case
            when configurations.pattern_segment_count > 0
                then
                    (
                        configurations.pattern_failure_rate * configurations.pattern_segment_count
                        + 0.5
                    )
                    / (configurations.pattern_segment_count + 1)
            else configurations.pattern_failure_rate
        end as pattern_rate_estimate
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

-- Patterns of 1 or 2 dimensions with their rate on current days (the base of the shifts).
shiftable_patterns as (
    select
        patterns.pattern_key,
        {{ dimension_columns('patterns') }},
        patterns.dimension_count,
        background.current_failure_count::double precision
        / background.current_total_count as current_days_rate
    from patterns
    inner join background
        on patterns.pattern_key = background.combination_key
    where
        patterns.status != 'resolved'
        and patterns.dimension_count <= 2
        and background.current_total_count > 0
),

-- Every (pattern, pattern + one more value) pair in the data: how far values stray from their
-- pattern's rate beyond chance gives the strength their rates are shrunk with.
pattern_values as (
    select
        shiftable_patterns.current_days_rate,
        background.current_total_count,
        background.current_failure_count
    from shiftable_patterns
    inner join background
        on
            background.dimension_count = shiftable_patterns.dimension_count + 1
            and {{ cell_in_combination('background', 'shiftable_patterns', prefix='dimension_') }}
),

pattern_value_strength as (
    select
        {{ prior_strength_from(overdispersion(
            'pattern_values.current_failure_count',
            'pattern_values.current_total_count',
            'pattern_values.current_days_rate'
        )) }} as strength
    from pattern_values
),

-- The configuration's other values, each as pattern + value (one row per value).
governed_values as (
    {%- for dimension in pattern_dimensions() %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            keyed.configuration_key,
            shiftable_patterns.current_days_rate,
            {{ pattern_value_key('shiftable_patterns', 'keyed', dimension) }} as value_key
        from keyed
        inner join shiftable_patterns
            on keyed.governing_pattern_key = shiftable_patterns.pattern_key
        where shiftable_patterns.dimension_{{ dimension }} is null
    {%- endfor %}
),

pattern_shifts as (
    select
        governed_values.configuration_key,
        sum(
            {{ logit(shrunk_toward(
                'coalesce(background.current_failure_count, 0)',
                'coalesce(background.current_total_count, 0)',
                'governed_values.current_days_rate',
                'pattern_value_strength.strength'
            )) }}
            - {{ logit('governed_values.current_days_rate') }}
        ) as pattern_shift
    from governed_values
    cross join pattern_value_strength
    left join background
        on governed_values.value_key = background.combination_key
    group by governed_values.configuration_key
),

adjusted as (
    select
        keyed.*,
        case
            when pattern_shifts.pattern_shift is null then keyed.pattern_rate_estimate
            else {{ expit(
                logit('keyed.pattern_rate_estimate') ~ ' + pattern_shifts.pattern_shift'
            ) }}
        end as pattern_prior_rate
    from keyed
    left join pattern_shifts
        on keyed.configuration_key = pattern_shifts.configuration_key
),

priors as (
    select
        adjusted.*,
        background_means.background_rate,
        greatest(adjusted.pattern_prior_rate, background_means.background_rate) as prior_rate
    from adjusted
    inner join background_means
        on adjusted.configuration_key = background_means.configuration_key
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
                configuration_strengths.pattern_prior_rate
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
        strengths.governing_pattern_key,
        strengths.pattern_failure_rate::double precision as pattern_failure_rate,
        strengths.pattern_segment_count::bigint as pattern_segment_count,
        strengths.pattern_prior_rate::double precision as pattern_prior_rate,
        (select pattern_value_strength.strength from pattern_value_strength)::double precision
            as pattern_value_strength,
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
