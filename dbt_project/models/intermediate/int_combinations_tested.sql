-- Every combination with its failure rate against the segments outside it: risk ratio, Wilson
-- interval, a one-sided exact p-value (Fisher: "fails more than the rest"), Benjamini-Hochberg
-- q-value over all tested combinations, and its alias group (combinations covering exactly the
-- same segments) with the most readable member as representative. See docs/patterns.md.
{%- set preference = var('pattern_name_preference') %}

with combinations as (
    select * from {{ ref('int_combinations_aggregated') }}
),

cells as (
    select * from {{ ref('int_cells_aggregated') }}
),

totals as (
    select
        sum(cells.segment_count)::bigint as segment_count,
        sum(cells.failure_count)::bigint as failure_count,
        {{ normal_quantile(1 - (1 - var('confidence_level')) / 2) }} as interval_z
    from cells
),

rated as (
    select
        combinations.*,
        combinations.failure_count::double precision
        / combinations.total_count as failure_rate,
        (totals.failure_count - combinations.failure_count)::double precision
        / nullif(totals.segment_count - combinations.total_count, 0) as baseline_rate,
        {{ wilson_lower('combinations.failure_count', 'combinations.total_count',
            'totals.interval_z') }} as failure_rate_lower,
        {{ wilson_upper('combinations.failure_count', 'combinations.total_count',
            'totals.interval_z') }} as failure_rate_upper,
        {{ hypergeometric_sf(
            'combinations.failure_count',
            'combinations.total_count',
            'totals.failure_count',
            'totals.segment_count'
        ) }} as p_value,
        -- Below min_support a combination is kept but not tested (never significant); one that
        -- holds every segment has no outside to compare with.
        combinations.total_count >= {{ var('min_support') }}
        and combinations.total_count < totals.segment_count as is_tested,
        -- Readability of the combination as a name: fewer dimensions first, then avoid the
        -- dimensions late in var('pattern_name_preference') (each dimension is one bit).
        combinations.dimension_count * 1000
        {%- for dimension in preference %}
            + case
                when combinations.dimension_{{ dimension }} is not null
                    then {{ 2 ** loop.index0 }}
                else 0
            end
        {%- endfor %} as name_rank
    from combinations
    cross join totals
),

tested as (
    select
        rated.combination_key,
        case when rated.is_tested then rated.p_value end as tested_p_value
    from rated
),

q_values as (
    {{ benjamini_hochberg('tested', 'tested_p_value', 'combination_key') }}
),

grouped as (
    select
        rated.*,
        q_values.q_value,
        coalesce(q_values.q_value <= {{ var('fdr') }}, false) as is_significant,
        -- Same cells, same segments: one alias group (the count guards hash collisions).
        md5(rated.total_count || ':' || rated.segment_fingerprint) as alias_group
    from rated
    inner join q_values
        on rated.combination_key = q_values.combination_key
),

final as (
    select
        grouped.combination_key,
        {%- for dimension in pattern_dimensions() %}
            grouped.dimension_{{ dimension }},
        {%- endfor %}
        grouped.dimension_count,
        grouped.total_count,
        grouped.failure_count,
        grouped.failure_rate,
        grouped.baseline_rate,
        grouped.failure_rate / nullif(grouped.baseline_rate, 0) as risk_ratio,
        grouped.failure_rate_lower,
        grouped.failure_rate_upper,
        grouped.failure_count
        - grouped.total_count * coalesce(grouped.baseline_rate, 0) as excess_failure_count,
        grouped.p_value,
        grouped.is_tested,
        grouped.q_value,
        grouped.is_significant,
        grouped.alias_group,
        first_value(grouped.combination_key) over (
            partition by grouped.alias_group
            order by grouped.name_rank, grouped.combination_key
        ) as representative_key
    from grouped
)

select * from final
