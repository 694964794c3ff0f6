-- Every combination judged against comparable segments (its reference; docs/patterns.md):
--   - context: the values its own values imply (int_value_contexts_derived) bound every
--     comparison: a tool version recorded by one test only is compared within that test;
--   - a single value is compared with the rest of its context (everything when it has none);
--   - a combination of 2 or 3 values is compared within each parent (one value dropped, in
--     context): "version Y within test B" against test B's other versions, so a version that
--     fails only in the healthy test is not hidden by the other test's rate (Simpson). The
--     parent in which it stands out most is its reference, with a Bonferroni factor for the
--     parents tried.
-- Its failure rate, the rate of the rest of its reference (`baseline_rate`), risk ratio, Wilson
-- interval, a one-sided exact p-value (Fisher) with its natural log (`ln_p_value`, which does
-- not underflow), Benjamini-Hochberg q-value over all tested combinations, and its alias group
-- (combinations covering exactly the same segments) with the most readable member as
-- representative. A reference in which the combination is not materially worse (both ways:
-- failure rate x var('min_risk_ratio'), or pass rate / var('min_risk_ratio')) is not tested
-- (p = 1): it could never be a pattern there, and every tested combination still counts in BH.
{%- set preference = var('pattern_name_preference') %}
{%- set dimensions = pattern_dimensions() %}

with combinations as (
    select * from {{ ref('int_combinations_aggregated') }}
),

cells as (
    select * from {{ ref('int_cells_aggregated') }}
),

value_contexts as (
    select * from {{ ref('int_value_contexts_derived') }}
),

totals as (
    select
        sum(cells.segment_count)::bigint as segment_count,
        sum(cells.failure_count)::bigint as failure_count,
        {{ normal_quantile(1 - (1 - var('confidence_level')) / 2) }} as interval_z
    from cells
),

-- The values implied by the combination's own values, on the dimensions it leaves open.
contexts as (
    select
        combinations.*,
        {%- for other in dimensions %}
            case when combinations.dimension_{{ other }} is null then coalesce(
                {%- for dimension in dimensions if dimension != other %}
                    via_{{ dimension }}.context_{{ other }}{% if not loop.last %},{% endif %}
                {%- endfor %}
            ) end as context_{{ other }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from
        combinations
    {%- for dimension in dimensions %}
        left join value_contexts as via_{{ dimension }}
            on
                via_{{ dimension }}.dimension = '{{ dimension }}'
                and combinations.dimension_{{ dimension }} = via_{{ dimension }}.dimension_value
    {%- endfor %}
),

-- Candidate references: the context for a single value; each parent in context for more.
-- A reference is looked up by key. A parent that the context makes longer than 3 dimensions is
-- not a combination: that reference is left out (without its context it would be confounded);
-- a single value whose context is that long is compared with all segments.
reference_links as (
    select
        contexts.combination_key,
        {{ combination_key('contexts', prefix='context_') }} as reference_key,
        '' as plain_reference_key
    from contexts
    where contexts.dimension_count = 1
    {%- for dropped in dimensions %}

        union all

        select
            contexts.combination_key,
            {{ key_in_context('contexts', dropped, 'parent') }} as reference_key,
            {{ combination_key('contexts', without=dropped) }} as plain_reference_key
        from contexts
        where
            contexts.dimension_count > 1
            and contexts.dimension_{{ dropped }} is not null
    {%- endfor %}
),

references_counted as (
    select
        reference_links.combination_key,
        coalesce(in_context.combination_key, '') as reference_key,
        coalesce(in_context.total_count, totals.segment_count) as reference_total_count,
        coalesce(in_context.failure_count, totals.failure_count) as reference_failure_count
    from reference_links
    cross join totals
    left join combinations as in_context
        on reference_links.reference_key = in_context.combination_key
    where
        in_context.combination_key is not null
        or reference_links.plain_reference_key = ''
),

references_tested as (
    select
        references_counted.*,
        combinations.total_count,
        combinations.failure_count,
        combinations.failure_count::double precision / combinations.total_count as failure_rate,
        (references_counted.reference_failure_count - combinations.failure_count)::double precision
        / (references_counted.reference_total_count - combinations.total_count) as rest_rate
    from references_counted
    inner join combinations
        on references_counted.combination_key = combinations.combination_key
    -- A reference covering the same segments (an alias) has no rest to compare with.
    where references_counted.reference_total_count > combinations.total_count
),

references_scored as (
    select
        references_tested.*,
        case
            when {{ is_material_excess('references_tested.failure_rate',
                'references_tested.rest_rate') }}
                then {{ ln_hypergeometric_sf(
                    'references_tested.failure_count',
                    'references_tested.total_count',
                    'references_tested.reference_failure_count',
                    'references_tested.reference_total_count'
                ) }}
            else 0
        end as ln_p_value
    from references_tested
),

-- The reference: among those in which the combination is materially worse, the one whose rest
-- fails most (the strictest comparison that still holds: "100 % vs 75 % for the rest of suite
-- A", not "vs 4 % for this version elsewhere"), then the smallest ln p, then the key; and how
-- many were tried (Bonferroni).
chosen_references as (
    select distinct on (references_scored.combination_key)
        references_scored.combination_key,
        references_scored.reference_key,
        references_scored.reference_total_count,
        references_scored.reference_failure_count,
        references_scored.rest_rate,
        least(
            0.0::double precision,
            references_scored.ln_p_value
            + ln(count(*) over (partition by references_scored.combination_key))
        ) as ln_p_value,
        count(*) over (partition by references_scored.combination_key) as reference_tried_count
    from references_scored
    order by
        references_scored.combination_key asc,
        (references_scored.ln_p_value < 0) desc,
        references_scored.rest_rate desc,
        references_scored.ln_p_value asc,
        references_scored.reference_key asc
),

rated as (
    select
        contexts.*,
        {{ combination_key('contexts', prefix='context_') }} as context_key,
        chosen_references.reference_key,
        chosen_references.reference_total_count,
        chosen_references.reference_failure_count,
        coalesce(chosen_references.reference_tried_count, 0) as reference_tried_count,
        contexts.failure_count::double precision / contexts.total_count as failure_rate,
        chosen_references.rest_rate as baseline_rate,
        {{ wilson_lower('contexts.failure_count', 'contexts.total_count',
            'totals.interval_z') }} as failure_rate_lower,
        {{ wilson_upper('contexts.failure_count', 'contexts.total_count',
            'totals.interval_z') }} as failure_rate_upper,
        coalesce(chosen_references.ln_p_value, 0) as ln_p_value,
        -- Below min_support a combination is kept but not tested (never significant); one
        -- without any reference with segments outside it has nothing to compare with.
        contexts.total_count >= {{ var('min_support') }}
        and chosen_references.combination_key is not null as is_tested,
        -- Readability of the combination as a name: fewer dimensions first, then avoid the
        -- dimensions late in var('pattern_name_preference') (each dimension is one bit).
        contexts.dimension_count * 1000
        {%- for dimension in preference %}
            + case
                when contexts.dimension_{{ dimension }} is not null
                    then {{ 2 ** loop.index0 }}
                else 0
            end
        {%- endfor %} as name_rank
    from contexts
    cross join totals
    left join chosen_references
        on contexts.combination_key = chosen_references.combination_key
),

tested as (
    select
        rated.combination_key,
        case when rated.is_tested then {{ exp_or_zero('rated.ln_p_value') }} end
            as tested_p_value
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
        {%- for dimension in dimensions %}
            grouped.dimension_{{ dimension }},
        {%- endfor %}
        grouped.dimension_count,
        grouped.total_count,
        grouped.failure_count,
        grouped.failure_rate,
        grouped.context_key,
        {%- for dimension in dimensions %}
            grouped.context_{{ dimension }},
        {%- endfor %}
        grouped.reference_key,
        grouped.reference_total_count,
        grouped.reference_failure_count,
        grouped.reference_tried_count,
        grouped.baseline_rate,
        grouped.failure_rate / nullif(grouped.baseline_rate, 0) as risk_ratio,
        grouped.failure_rate_lower,
        grouped.failure_rate_upper,
        grouped.failure_count
        - grouped.total_count * coalesce(grouped.baseline_rate, 0) as excess_failure_count,
        {{ exp_or_zero('grouped.ln_p_value') }} as p_value,
        grouped.ln_p_value,
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
