{{
    config(
        indexes=[
            {'columns': ['step'], 'unique': true},
            {'columns': ['combination_key'], 'unique': true},
        ],
        pre_hook="set local enable_nestloop = off",
    )
}}

-- Every candidate pattern: the representative of an alias group with q <= var('fdr') that
-- fails materially more than the rest of its reference (rule a, int_combinations_tested),
-- with rule (c) decided and the order in which rule (b) judges them (`step`;
-- docs/patterns.md):
--   (c) an effect of its own. A single value has its own effect when it meets (a). A
--       combination of 2 or 3 values must, for every parent P (one value v dropped, in
--       context), fail more than P's other segments predict once v's effect outside P is
--       taken into account: the interaction of P and v on the log-odds scale (Woolf's test of
--       the ratio of the two odds ratios, v within P against v outside P). A child that merely
--       inherits its parent's rate (m03 + action + any LoRA) has none; a version failing only
--       in the healthy test has one, though its other parent (the version everywhere) fails
--       more. All parents must show it (the largest p counts), materially (the symmetric rule
--       against the predicted rate). Benjamini-Hochberg over all tested combinations (the
--       others count as not rejected) at var('fdr').
-- Candidates with an effect of their own come first (steps 1..n), most specific first, then
-- strongest (smallest ln p, then the largest log odds ratio against the reference, then the
-- key). A table indexed on `step`: rule (b) reads one candidate per step.
-- The pre-hook turns nested loops off for this model's transaction: the planner estimates a
-- handful of candidates (the filters on int_combinations_tested compound), and once that table
-- has statistics it joined the per-candidate aggregates by nested loops that recompute them per
-- candidate (51 s instead of 1 s at 5.1M rows). Hash joins cost the same whatever the estimate.
{%- set dimensions = pattern_dimensions() %}
{#- The candidate's context, the parent within it and the value within it all exist: the 2x2
    tables are then taken within the context. -#}
{%- set is_in_context -%}
    context.combination_key is not null
    and parent_in_context.combination_key is not null
    and value_in_context.combination_key is not null
{%- endset %}

with combinations as (
    select * from {{ ref('int_combinations_tested') }}
),

totals as (
    select
        sum(cells.segment_count)::bigint as segment_count,
        sum(cells.failure_count)::bigint as failure_count
    from {{ ref('int_cells_aggregated') }} as cells
),

-- Rule (c)'s BH runs over every tested combination.
tested as (
    select count(*) filter (where combinations.is_tested) as tested_count
    from combinations
),

candidates as (
    select combinations.*
    from combinations
    where
        combinations.is_significant
        and combinations.combination_key = combinations.representative_key
        and {{ is_material_excess('combinations.failure_rate', 'combinations.baseline_rate') }}
),

-- For each dropped value of a multi-value candidate: the keys of its parent, of the value
-- alone, of its context, and of the parent and the value within the context (used when all
-- three exist, i.e. have at most 3 dimensions; otherwise the population is all segments).
interaction_keys as (
    {%- for dropped in dimensions %}
        {%- if not loop.first %}

            union all
        {% endif %}
        select
            candidates.combination_key,
            '{{ dropped }}' as dropped_dimension,
            {{ combination_key('candidates', without=dropped) }} as parent_key,
            '{{ dropped }}=' || candidates.dimension_{{ dropped }} as value_key,
            candidates.context_key,
            {{ key_in_context('candidates', dropped, 'parent') }} as parent_in_context_key,
            {{ key_in_context('candidates', dropped, 'value') }} as value_in_context_key
        from candidates
        where
            candidates.dimension_count > 1
            and candidates.dimension_{{ dropped }} is not null
    {%- endfor %}
),

interaction_counts as (
    select
        interaction_keys.combination_key,
        interaction_keys.dropped_dimension,
        coalesce({{ is_in_context }}, false) as is_in_context,
        {%- for measure, in_context, otherwise in [
            ('parent_total_count', 'parent_in_context.total_count', 'parent.total_count'),
            ('parent_failure_count', 'parent_in_context.failure_count', 'parent.failure_count'),
            ('value_total_count', 'value_in_context.total_count', 'value_alone.total_count'),
            ('value_failure_count', 'value_in_context.failure_count', 'value_alone.failure_count'),
            ('population_total_count', 'context.total_count', 'totals.segment_count'),
            ('population_failure_count', 'context.failure_count', 'totals.failure_count'),
        ] %}
            case
                when {{ is_in_context }} then {{ in_context }}
                else {{ otherwise }}
            end as {{ measure }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from interaction_keys
    cross join totals
    inner join combinations as parent
        on interaction_keys.parent_key = parent.combination_key
    inner join combinations as value_alone
        on interaction_keys.value_key = value_alone.combination_key
    left join combinations as context
        on interaction_keys.context_key = context.combination_key
    left join combinations as parent_in_context
        on interaction_keys.parent_in_context_key = parent_in_context.combination_key
    left join combinations as value_in_context
        on interaction_keys.value_in_context_key = value_in_context.combination_key
),

-- The 2x2 tables: inside the parent (candidate vs the parent's rest) and outside it (the value
-- vs everything else), each as log odds with half counts.
-- The rests are compared without the candidate's sibling candidates (same dimensions, another
-- value of the dropped dimension): inside the parent (same parent values) and outside it. The
-- typical sibling is the reference, not the other flagged ones: "v07 within suite A" is not an
-- effect because v03 (100 % there) lifts the rest of suite A and v06 (35 % in suite B) the rest
-- outside. Siblings of one dimension set are disjoint, so their counts subtract exactly. Kept
-- only while a rest keeps at least var('min_support') segments.
sibling_exclusions as (
    {%- for dropped in dimensions %}
        {%- if not loop.first %}

            union all
        {% endif %}
        select
            candidates.combination_key,
            '{{ dropped }}' as dropped_dimension,
            coalesce(sum(siblings.total_count) filter (
                where {{ same_values('siblings', 'candidates', without=dropped) }}
            ), 0) as in_total_count,
            coalesce(sum(siblings.failure_count) filter (
                where {{ same_values('siblings', 'candidates', without=dropped) }}
            ), 0) as in_failure_count,
            coalesce(sum(siblings.total_count) filter (
                where not {{ same_values('siblings', 'candidates', without=dropped) }}
            ), 0) as out_total_count,
            coalesce(sum(siblings.failure_count) filter (
                where not {{ same_values('siblings', 'candidates', without=dropped) }}
            ), 0) as out_failure_count
        from candidates
        inner join candidates as siblings
            on
                siblings.dimension_{{ dropped }} != candidates.dimension_{{ dropped }}
                and siblings.context_key = candidates.context_key
                {%- for dimension in dimensions %}
                    and (siblings.dimension_{{ dimension }} is null)
                    = (candidates.dimension_{{ dimension }} is null)
                {%- endfor %}
        where candidates.dimension_count > 1
        group by candidates.combination_key
    {%- endfor %}
),

interaction_rests as (
    select
        interaction_counts.combination_key,
        interaction_counts.dropped_dimension,
        candidates.failure_count as in_value_failure_count,
        candidates.total_count as in_value_total_count,
        interaction_counts.parent_failure_count - candidates.failure_count
            as in_rest_failure_count,
        interaction_counts.parent_total_count - candidates.total_count as in_rest_total_count,
        interaction_counts.value_failure_count - candidates.failure_count
            as out_value_failure_count,
        interaction_counts.value_total_count - candidates.total_count as out_value_total_count,
        interaction_counts.population_failure_count - interaction_counts.parent_failure_count
        - interaction_counts.value_failure_count + candidates.failure_count
            as out_rest_failure_count,
        interaction_counts.population_total_count - interaction_counts.parent_total_count
        - interaction_counts.value_total_count + candidates.total_count as out_rest_total_count,
        -- Sibling exclusions apply only within the same population (not across contexts).
        case
            when interaction_counts.is_in_context or candidates.context_key = ''
                then coalesce(sibling_exclusions.in_total_count, 0)
            else 0
        end as in_excluded_total_count,
        case
            when interaction_counts.is_in_context or candidates.context_key = ''
                then coalesce(sibling_exclusions.in_failure_count, 0)
            else 0
        end as in_excluded_failure_count,
        case
            when interaction_counts.is_in_context or candidates.context_key = ''
                then coalesce(sibling_exclusions.out_total_count, 0)
            else 0
        end as out_excluded_total_count,
        case
            when interaction_counts.is_in_context or candidates.context_key = ''
                then coalesce(sibling_exclusions.out_failure_count, 0)
            else 0
        end as out_excluded_failure_count
    from interaction_counts
    inner join candidates
        on interaction_counts.combination_key = candidates.combination_key
    left join sibling_exclusions
        on
            interaction_counts.combination_key = sibling_exclusions.combination_key
            and interaction_counts.dropped_dimension = sibling_exclusions.dropped_dimension
    -- A parent covering the same segments (an alias) tells nothing.
    where interaction_counts.parent_total_count > candidates.total_count
),

interaction_tables as (
    select
        interaction_rests.combination_key,
        interaction_rests.dropped_dimension,
        interaction_rests.in_value_failure_count,
        interaction_rests.in_value_total_count,
        interaction_rests.out_value_failure_count,
        interaction_rests.out_value_total_count,
        -- Each side's rest without the excluded siblings' segments where that leaves
        -- min_support of them, else the whole rest: one rule for its failures and segments.
        {%- for side, measure in [
            ('in', 'failure'), ('in', 'total'), ('out', 'failure'), ('out', 'total')
        ] %}
            case
                when
                    interaction_rests.{{ side }}_rest_total_count
                    - interaction_rests.{{ side }}_excluded_total_count
                    >= {{ var('min_support') }}
                    then
                        interaction_rests.{{ side }}_rest_{{ measure }}_count
                        - interaction_rests.{{ side }}_excluded_{{ measure }}_count
                else interaction_rests.{{ side }}_rest_{{ measure }}_count
            end as {{ side }}_rest_{{ measure }}_count{% if not loop.last %},{% endif %}
        {%- endfor %}
    from interaction_rests
),

-- Rule (c)'s interaction per parent (macros/patterns/pattern_interaction.sql).
interactions_scored as (
    select
        interaction_tables.combination_key,
        interaction_tables.dropped_dimension,
        {{ interaction_ln_p_value('interaction_tables') }} as ln_p_value,
        {{ interaction_predicted_rate('interaction_tables') }} as predicted_rate
    from interaction_tables
),

interaction_summaries as (
    select
        interactions_scored.combination_key,
        max(interactions_scored.ln_p_value) as ln_p_value,
        max(interactions_scored.predicted_rate) as predicted_rate
    from interactions_scored
    group by interactions_scored.combination_key
),

own_effects as (
    select
        candidates.*,
        case
            when candidates.dimension_count = 1 then candidates.ln_p_value
            else coalesce(interaction_summaries.ln_p_value, candidates.ln_p_value)
        end as own_ln_p_value,
        interaction_summaries.predicted_rate,
        -- Material against every parent's prediction: the highest prediction decides.
        interaction_summaries.predicted_rate is null
        or {{ is_material_excess('candidates.failure_rate',
            'interaction_summaries.predicted_rate') }} as is_own_effect_material
    from candidates
    left join interaction_summaries
        on candidates.combination_key = interaction_summaries.combination_key
),

own_tested as (
    select
        own_effects.combination_key,
        {{ exp_or_zero('own_effects.own_ln_p_value') }} as own_p_value
    from own_effects
),

own_q_values as (
    {{ benjamini_hochberg(
        'own_tested', 'own_p_value', 'combination_key',
        tested_count='(select tested.tested_count from tested)'
    ) }}
),

own_verdicts as (
    select
        own_effects.*,
        {{ exp_or_zero('own_effects.own_ln_p_value') }} as own_p_value,
        own_q_values.q_value as own_q_value,
        own_q_values.q_value <= {{ var('fdr') }}
        and own_effects.is_own_effect_material as has_own_effect
    from own_effects
    inner join own_q_values
        on own_effects.combination_key = own_q_values.combination_key
),

-- Candidates with an effect of their own, in the order rule (b) judges them.
ordered as (
    select
        own_verdicts.*,
        row_number() over (
            order by
                not own_verdicts.has_own_effect,
                own_verdicts.dimension_count desc,
                own_verdicts.ln_p_value asc,
                {{ ln_odds('own_verdicts.failure_count', 'own_verdicts.total_count') }}
                - {{ ln_odds(
                    'own_verdicts.reference_failure_count - own_verdicts.failure_count',
                    'own_verdicts.reference_total_count - own_verdicts.total_count'
                ) }} desc,
                own_verdicts.combination_key asc
        ) as step
    from own_verdicts
),

-- The candidates holding every segment of a candidate (their values are among its values and
-- context): a candidate is compared within them, so rule (b) never counts them as explaining it.
-- Found by key: the keys of every set of up to 3 of the candidate's values and context (41 at
-- most, as a cell's), joined to the candidates' keys by a hash join; comparing every candidate
-- with every other one (a nested loop) cost 0.7 s of 1.3k candidates at 90 days.
candidate_values as (
    select
        ordered.combination_key,
        {%- for dimension in dimensions %}
            coalesce(ordered.dimension_{{ dimension }}, ordered.context_{{ dimension }})
                as {{ dimension }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from ordered
),

-- A value left open (null) drops out of its key, which then names a smaller set, also listed.
container_keys as (
    select distinct
        candidate_values.combination_key,
        keys.container_key
    from candidate_values
    cross join
        lateral unnest({{ cell_combination_keys('candidate_values') }}) as keys (container_key)
),

containers as (
    select
        container_keys.combination_key,
        array_agg(container.step order by container.step) as container_steps
    from container_keys
    inner join ordered as container
        on container_keys.container_key = container.combination_key
    where container_keys.combination_key != container.combination_key
    group by container_keys.combination_key
),

final as (
    select
        ordered.*,
        coalesce(containers.container_steps, '{}'::bigint[]) as container_steps
    from ordered
    left join containers
        on ordered.combination_key = containers.combination_key
)

select * from final
