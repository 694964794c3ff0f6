-- Candidate patterns of the recent windows with an effect of their own (docs/patterns.md,
-- "Time"): combinations that fail more than the rest of a window (rule a at the windows'
-- q-values), more than they themselves did before it, and, for 2-3 values, rule (c) as the
-- whole history judges it (int_pattern_candidates_ordered), over the combination's own days
-- in the window. Whole-history patterns are not repeated. int_window_patterns_surfaced then
-- applies rule (b).
-- A week's cells are summed per day for 42 dimension sets at once (grouping sets); holding
-- their groups in memory rather than sorting them takes a third off the model's time at 10M
-- segments (64 MB against PostgreSQL's default 4 MB). `set local` ends with the model's
-- transaction.
{{ config(pre_hook="set local work_mem = '64MB'") }}
{%- set dimensions = pattern_dimensions() %}
{%- set longest_window = var('pattern_window_days') | max %}
{#- Sets of up to 3 required values (every combination and most parents) are counted by
    grouping sets; wider ones (a context adding its values) per cell and mask. -#}
{%- set grouped_dimensions = 3 %}

with windows as (
    select * from {{ ref('int_window_combinations_tested') }}
),

-- `not materialized`: the latest day and the week's days are read through the cube's index
-- on day, not from a copy of all its days.
daily_cells as not materialized (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

history_patterns as (
    select evaluated.*
    from {{ ref('int_pattern_candidates_evaluated') }} as evaluated
    where evaluated.verdict = 'surfaced'
),

-- The largest p-value the windows' BH rejected: what rule (c)'s interaction has to meet.
cutoff as (
    select coalesce(max(windows.p_value) filter (where windows.is_significant), 0) as p_value
    from windows
),

latest as (
    select max(daily_cells.day) as day
    from daily_cells
),

significant as (
    select
        windows.*,
        latest.day - windows.window_days + 1 as window_starts_on,
        -- "Fails more than it used to": the window's share of the combination's own failures.
        {{ hypergeometric_sf(
            'windows.failure_count',
            'windows.total_count',
            'windows.all_failure_count',
            'windows.all_total_count'
        ) }} as earlier_p_value
    from windows
    cross join latest
    where
        windows.is_significant
        and (
            windows.risk_ratio >= {{ var('min_risk_ratio') }}
            or (windows.baseline_rate = 0 and windows.failure_count > 0)
        )
        and windows.combination_key not in (
            select history_patterns.pattern_key from history_patterns
        )
),

candidates as (
    select significant.*
    from significant
    where
        -- More than its own earlier rate (a combination new in the window has none).
        significant.earlier_total_count = 0
        or (
            significant.earlier_p_value <= {{ var('fdr') }}
            and significant.failure_rate
            >= {{ var('min_risk_ratio') }} * significant.earlier_failure_rate
        )
),

-- Rule (c) in the window, with the whole history's evidence (int_pattern_candidates_ordered):
-- for every parent P (one value v dropped, within the combination's context) the interaction
-- of P and v on the log-odds scale, ln OR(v within P) - ln OR(v outside P) (Woolf, half
-- counts), at the windows' cutoff, and the candidate's rate materially above the rate P's
-- rest predicts with v's effect outside P. Counted over the candidate's own days in the window
-- only: days on which it has no segments say nothing about it, and a parent whose rate rose
-- inside the window would otherwise look healthier than on the candidate's days (a child of
-- an emerging parent, all of whose segments fall on the parent's bad days, then "fails more
-- than its parent" in the 7-day window merely by its timing).
recent_daily_cells as (
    select daily_cells.*
    from daily_cells
    cross join latest
    where daily_cells.day > latest.day - {{ longest_window }}
),

multi_candidates as (
    select
        candidates.window_combination_key,
        candidates.window_starts_on,
        {%- for dimension in dimensions %}
            candidates.dimension_{{ dimension }},
            contexts.context_{{ dimension }},
        {%- endfor %}
        candidates.total_count,
        candidates.failure_count
    from candidates
    inner join {{ ref('int_combinations_tested') }} as contexts
        on candidates.combination_key = contexts.combination_key
    where candidates.dimension_count > 1
),

-- What is counted per candidate, each a set of required values (`req_<dimension>`, null =
-- any): its own values (to find its days), its context (the population), and for every value
-- it names, the parent without that value and the value alone (both within the context).
-- A context only holds dimensions the combination leaves open, so the two never disagree.
value_sets as (
    select
        multi_candidates.window_combination_key,
        'own' as role,
        '' as dropped,
        {%- for dimension in dimensions %}
            multi_candidates.dimension_{{ dimension }} as req_{{ dimension }},
        {%- endfor %}
        multi_candidates.window_starts_on
    from multi_candidates

    union all

    select
        multi_candidates.window_combination_key,
        'population' as role,
        '' as dropped,
        {%- for dimension in dimensions %}
            multi_candidates.context_{{ dimension }} as req_{{ dimension }},
        {%- endfor %}
        multi_candidates.window_starts_on
    from multi_candidates
    {%- for dropped in dimensions %}

        union all

        select
            multi_candidates.window_combination_key,
            'parent' as role,
            '{{ dropped }}' as dropped,
            {%- for dimension in dimensions %}
                {%- if dimension == dropped %}
                    multi_candidates.context_{{ dimension }} as req_{{ dimension }},
                {%- else %}
                    coalesce(
                        multi_candidates.dimension_{{ dimension }},
                        multi_candidates.context_{{ dimension }}
                    ) as req_{{ dimension }},
                {%- endif %}
            {%- endfor %}
            multi_candidates.window_starts_on
        from multi_candidates
        where multi_candidates.dimension_{{ dropped }} is not null

        union all

        select
            multi_candidates.window_combination_key,
            'value' as role,
            '{{ dropped }}' as dropped,
            {%- for dimension in dimensions %}
                {%- if dimension == dropped %}
                    multi_candidates.dimension_{{ dimension }} as req_{{ dimension }},
                {%- else %}
                    multi_candidates.context_{{ dimension }} as req_{{ dimension }},
                {%- endif %}
            {%- endfor %}
            multi_candidates.window_starts_on
        from multi_candidates
        where multi_candidates.dimension_{{ dropped }} is not null
    {%- endfor %}
),

-- Each set as (which dimensions it requires, their values), so cells are matched to sets by
-- one hash join instead of comparing every candidate with every cell (the cost at 10M
-- segments was candidates x a week's cells).
keyed_sets as (
    select
        value_sets.window_combination_key,
        value_sets.role,
        value_sets.dropped,
        value_sets.window_starts_on,
        {%- for dimension in dimensions %}
            {% if not loop.first %}|| {% endif %}(
                case when value_sets.req_{{ dimension }} is null then '0' else '1' end
            )
        {%- endfor %} as required_mask,
        {%- for dimension in dimensions %}
            {% if not loop.first %}|| '|' || {% endif %}coalesce(
                '=' || value_sets.req_{{ dimension }}, ''
            )
        {%- endfor %} as required_key
    from value_sets
),

-- A week's cells summed per day for every combination of up to 3 dimensions, in one pass
-- (grouping sets: native values, no key per cell and mask), each row keyed the way the sets
-- are: a dimension it is not grouped by as '', a value the cell lacks as '!', which no set
-- requires. A key says which values it requires, so sets and cells join on the key alone.
combination_cells as (
    select
        recent_daily_cells.day,
        {%- for dimension in dimensions %}
            {% if not loop.first %}|| '|' || {% endif %}(
                case
                    when grouping(recent_daily_cells.{{ dimension }}) = 1 then ''
                    else coalesce('=' || recent_daily_cells.{{ dimension }}, '!')
                end
            )
        {%- endfor %} as required_key,
        sum(recent_daily_cells.segment_count)::bigint as segment_count,
        sum(recent_daily_cells.failure_count)::bigint as failure_count
    from recent_daily_cells
    group by grouping sets (
        (recent_daily_cells.day),
        {%- for dimension_set in pattern_dimension_sets(grouped_dimensions) %}
            (
                recent_daily_cells.day,
                recent_daily_cells.{{ dimension_set | join(', recent_daily_cells.') }}
            ){% if not loop.last %},{% endif %}
        {%- endfor %}
    )
),

-- A set that requires more dimensions (a context adds its values to a parent or a value):
-- the week's cells keyed the way its mask needs, one key per cell and such mask.
wide_masks as (
    select distinct keyed_sets.required_mask
    from keyed_sets
    where length(replace(keyed_sets.required_mask, '0', '')) > {{ grouped_dimensions }}
),

wide_cell_keys as (
    select
        recent_daily_cells.day,
        {%- for dimension in dimensions %}
            {% if not loop.first %}|| '|' || {% endif %}(
                case
                    when substr(wide_masks.required_mask, {{ loop.index }}, 1) = '0' then ''
                    else coalesce('=' || recent_daily_cells.{{ dimension }}, '!')
                end
            )
        {%- endfor %} as required_key,
        recent_daily_cells.segment_count,
        recent_daily_cells.failure_count
    from recent_daily_cells
    cross join wide_masks
),

keyed_cells as (
    select * from combination_cells

    union all

    select
        wide_cell_keys.day,
        wide_cell_keys.required_key,
        sum(wide_cell_keys.segment_count)::bigint as segment_count,
        sum(wide_cell_keys.failure_count)::bigint as failure_count
    from wide_cell_keys
    group by wide_cell_keys.day, wide_cell_keys.required_key
),

candidate_days as (
    select distinct
        keyed_sets.window_combination_key,
        keyed_cells.day
    from keyed_sets
    inner join keyed_cells
        on keyed_sets.required_key = keyed_cells.required_key
    where
        keyed_sets.role = 'own'
        and keyed_cells.day >= keyed_sets.window_starts_on
),

-- On those days, within the context: the population, each parent and each dropped value.
set_counts as (
    select
        keyed_sets.window_combination_key,
        keyed_sets.role,
        keyed_sets.dropped,
        sum(keyed_cells.segment_count)::bigint as segment_count,
        sum(keyed_cells.failure_count)::bigint as failure_count
    from keyed_sets
    inner join candidate_days
        on keyed_sets.window_combination_key = candidate_days.window_combination_key
    inner join keyed_cells
        on
            candidate_days.day = keyed_cells.day
            and keyed_sets.required_key = keyed_cells.required_key
    where keyed_sets.role != 'own'
    group by keyed_sets.window_combination_key, keyed_sets.role, keyed_sets.dropped
),

stratum_counts as (
    select
        set_counts.window_combination_key,
        {%- for dropped in dimensions %}
            coalesce(sum(set_counts.segment_count) filter (
                where set_counts.role = 'parent' and set_counts.dropped = '{{ dropped }}'
            ), 0)::bigint as parent_total_count_{{ dropped }},
            coalesce(sum(set_counts.failure_count) filter (
                where set_counts.role = 'parent' and set_counts.dropped = '{{ dropped }}'
            ), 0)::bigint as parent_failure_count_{{ dropped }},
            coalesce(sum(set_counts.segment_count) filter (
                where set_counts.role = 'value' and set_counts.dropped = '{{ dropped }}'
            ), 0)::bigint as value_total_count_{{ dropped }},
            coalesce(sum(set_counts.failure_count) filter (
                where set_counts.role = 'value' and set_counts.dropped = '{{ dropped }}'
            ), 0)::bigint as value_failure_count_{{ dropped }},
        {%- endfor %}
        coalesce(sum(set_counts.segment_count) filter (
            where set_counts.role = 'population'
        ), 0)::bigint as population_total_count,
        coalesce(sum(set_counts.failure_count) filter (
            where set_counts.role = 'population'
        ), 0)::bigint as population_failure_count
    from set_counts
    group by set_counts.window_combination_key
),

-- The two 2x2 tables per parent: inside it (the candidate against the parent's rest) and
-- outside it (the dropped value against everything else in the population).
interaction_tables as (
    {%- for dropped in dimensions %}
        {%- if not loop.first %}

            union all
        {% endif %}
        select
            multi_candidates.window_combination_key,
            multi_candidates.failure_count as in_value_failure_count,
            multi_candidates.total_count as in_value_total_count,
            stratum_counts.parent_failure_count_{{ dropped }} - multi_candidates.failure_count
                as in_rest_failure_count,
            stratum_counts.parent_total_count_{{ dropped }} - multi_candidates.total_count
                as in_rest_total_count,
            stratum_counts.value_failure_count_{{ dropped }} - multi_candidates.failure_count
                as out_value_failure_count,
            stratum_counts.value_total_count_{{ dropped }} - multi_candidates.total_count
                as out_value_total_count,
            stratum_counts.population_failure_count
            - stratum_counts.parent_failure_count_{{ dropped }}
            - stratum_counts.value_failure_count_{{ dropped }}
            + multi_candidates.failure_count as out_rest_failure_count,
            stratum_counts.population_total_count
            - stratum_counts.parent_total_count_{{ dropped }}
            - stratum_counts.value_total_count_{{ dropped }}
            + multi_candidates.total_count as out_rest_total_count
        from multi_candidates
        inner join stratum_counts
            on multi_candidates.window_combination_key = stratum_counts.window_combination_key
        where multi_candidates.dimension_{{ dropped }} is not null
    {%- endfor %}
),

-- A candidate whose parent holds no other segments on its days is that parent in the window
-- (w01 + m02 + night on a day when every m02 night scene ran on w01): the parent, with fewer
-- values, names it, as an alias group is named by its shortest member.
window_aliases as (
    select distinct interaction_tables.window_combination_key
    from interaction_tables
    where interaction_tables.in_rest_total_count = 0
),

-- Rule (c)'s interaction per parent (macros/patterns/pattern_interaction.sql).
interactions_scored as (
    select
        interaction_tables.window_combination_key,
        {{ interaction_ln_p_value('interaction_tables') }} as ln_p_value,
        {{ interaction_predicted_rate('interaction_tables') }} as predicted_rate
    from interaction_tables
    where interaction_tables.in_rest_total_count > 0
),

interaction_summaries as (
    select
        interactions_scored.window_combination_key,
        max(interactions_scored.ln_p_value) as ln_p_value,
        max(interactions_scored.predicted_rate) as predicted_rate
    from interactions_scored
    group by interactions_scored.window_combination_key
),

own_effects as (
    select
        candidates.*,
        interaction_summaries.ln_p_value as own_ln_p_value,
        interaction_summaries.predicted_rate
    from candidates
    left join interaction_summaries
        on candidates.window_combination_key = interaction_summaries.window_combination_key
    cross join cutoff
    where
        candidates.window_combination_key not in (
            select window_aliases.window_combination_key from window_aliases
        )
        and (
            candidates.dimension_count = 1
            or (
                -- Without a parent to compare with, its own test in the window counts.
                coalesce(interaction_summaries.ln_p_value, ln(nullif(candidates.p_value, 0)))
                <= ln(nullif(cutoff.p_value, 0))
                and (
                    interaction_summaries.predicted_rate is null
                    or {{ is_material_excess('candidates.failure_rate',
                        'interaction_summaries.predicted_rate') }}
                )
            )
        )
)

select * from own_effects
