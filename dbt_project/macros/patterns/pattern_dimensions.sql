{#- The six pattern dimensions, in the architecture's fixed order (var `pattern_dimensions`,
    copied from failmap/dimensions.py). This order is the order of `pattern_key`
    (`lora=l07|character=c12|segment_position=6+`), so keys stay stable across refreshes; never
    reorder it. `segment_position` is the bucket label (var `segment_position_buckets`), not the
    raw position. -#}
{% macro pattern_dimensions() -%}
    {{ return(var('pattern_dimensions')) }}
{%- endmacro %}

{#- The six dimension columns of `<relation>`, comma-separated in the fixed order, for a select
    list or a group by. `prefix`: the columns' prefix (`dimension_` for a combination's columns,
    `context_` for its context, '' for a cell's columns, which are named after the dimensions). -#}
{% macro dimension_columns(relation, prefix='dimension_') -%}
    {%- for dimension in pattern_dimensions() %}
    {{ relation }}.{{ prefix }}{{ dimension }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- Every set of 1 to `max_dimensions` pattern dimensions, as lists in the fixed order:
    6 + 15 + 20 = 41 sets for 3. -#}
{% macro pattern_dimension_sets(max_dimensions=3, min_dimensions=1) -%}
    {#- Subsets by bit mask (dbt deprecates `modules.itertools`); order within a size does not
        matter: keys always follow pattern_dimensions(). -#}
    {%- set dimensions = pattern_dimensions() -%}
    {%- set sets = [] -%}
    {%- for size in range(min_dimensions, max_dimensions + 1) -%}
        {%- for mask in range(1, 2 ** (dimensions | length)) -%}
            {%- set subset = [] -%}
            {%- for dimension in dimensions -%}
                {%- if (mask // (2 ** loop.index0)) % 2 == 1 -%}
                    {%- do subset.append(dimension) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if subset | length == size -%}
                {%- do sets.append(subset) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(sets) }}
{%- endmacro %}

{#- `dim=value|dim=value` of the non-null `<relation>.dimension_<dim>` columns in the fixed
    order: the stable key of a combination or pattern. `without`: leave that dimension out (the
    key of a parent). `prefix`: the columns' prefix (`context_` for a combination's context). -#}
{% macro combination_key(relation, without=none, prefix='dimension_') -%}
    concat_ws(
        '|'
        {%- for dimension in pattern_dimensions() if dimension != without %},
        '{{ dimension }}=' || {{ relation }}.{{ prefix }}{{ dimension }}
        {%- endfor %}
    )
{%- endmacro %}

{#- True when a cell (columns named after the dimensions, or `<prefix><dim>`) lies inside a
    combination (columns `dimension_<dim>`, null = any value). `without`: ignore that dimension
    (the cell lies in the parent that drops it). With prefix='dimension_' the "cell" may be a
    narrower combination: it lies inside when it has every value of the wider one. -#}
{% macro cell_in_combination(cell, combination, without=none, prefix='') -%}
    (
        {%- for dimension in pattern_dimensions() if dimension != without %}
        {% if not loop.first %}and {% endif -%}
        ({{ combination }}.dimension_{{ dimension }} is null
            or {{ combination }}.dimension_{{ dimension }} = {{ cell }}.{{ prefix }}{{ dimension }})
        {%- endfor %}
    )
{%- endmacro %}

{#- A select with grouping sets that sums cells (`<relation>` with the six dimension columns,
    segment_count, failure_count) into every combination of the given dimension sets. Columns:
    dimension_<dim> (null = not part of the combination), dimension_count, total_count,
    failure_count, and `segment_fingerprint` when `with_fingerprint` (sum of the cells'
    `cell_hash`: two combinations covering the same cells, i.e. the same segments, share it).
    With `background_unless` (a boolean column of the cells, e.g. `is_in_pattern`) also
    background_total_count and background_failure_count: the sums over the cells where it is
    false. -#}
{% macro select_combinations(
    relation, dimension_sets, with_fingerprint=false, background_unless=none
) -%}
select
    {%- for dimension in pattern_dimensions() %}
    {{ relation }}.{{ dimension }} as dimension_{{ dimension }},
    {%- endfor %}
    (
        {%- for dimension in pattern_dimensions() %}
        {% if not loop.first %}+ {% endif %}(1 - grouping({{ relation }}.{{ dimension }}))
        {%- endfor %}
    ) as dimension_count,
    sum({{ relation }}.segment_count)::bigint as total_count,
    sum({{ relation }}.failure_count)::bigint as failure_count
    {%- if background_unless %},
    coalesce(
        sum({{ relation }}.segment_count) filter (where not {{ relation }}.{{ background_unless }}), 0
    )::bigint as background_total_count,
    coalesce(
        sum({{ relation }}.failure_count) filter (where not {{ relation }}.{{ background_unless }}), 0
    )::bigint as background_failure_count
    {%- endif %}
    {%- if with_fingerprint %},
    sum({{ relation }}.cell_hash::numeric) as segment_fingerprint
    {%- endif %}
from {{ relation }}
group by grouping sets (
    {%- for dimension_set in dimension_sets %}
    ({{ relation }}.{{ dimension_set | join(', ' ~ relation ~ '.') }}){% if not loop.last %},{% endif %}
    {%- endfor %}
)
{%- endmacro %}

{#- The keys (as combination_key writes them) of every combination of 1 to `max_dimensions`
    dimensions a cell lies in: one per dimension set, 41 for 3. A cell's columns are named
    after the dimensions. Joining on these keys finds a combination's cells with a hash join,
    where `cell_in_combination` compares every cell with every combination. -#}
{% macro cell_combination_keys(cell, max_dimensions=3) -%}
    array[
        {%- for dimension_set in pattern_dimension_sets(max_dimensions) %}
        concat_ws(
            '|'
            {%- for dimension in dimension_set %},
            '{{ dimension }}=' || {{ cell }}.{{ dimension }}
            {%- endfor %}
        ){% if not loop.last %},{% endif %}
        {%- endfor %}
    ]
{%- endmacro %}

{#- Keys within a combination's context (`<relation>.context_<dim>`, the values its own values
    imply): `part='parent'` is the key of the parent without `dropped` plus the context,
    `part='value'` the key of the dropped value alone plus the context. -#}
{% macro key_in_context(relation, dropped, part) -%}
    concat_ws(
        '|'
        {%- for dimension in pattern_dimensions() %},
        '{{ dimension }}=' || {% if dimension == dropped and part == 'parent' -%}
            {{ relation }}.context_{{ dimension }}
        {%- elif dimension == dropped -%}
            {{ relation }}.dimension_{{ dimension }}
        {%- elif part == 'parent' -%}
            coalesce({{ relation }}.dimension_{{ dimension }}, {{ relation }}.context_{{ dimension }})
        {%- else -%}
            {{ relation }}.context_{{ dimension }}
        {%- endif %}
        {%- endfor %}
    )
{%- endmacro %}

{#- True when two cells (columns named after the dimensions) have the same six values, but
    `without`: a join condition of plain equalities, which PostgreSQL can hash. -#}
{% macro same_cell(cell, other, without=none) -%}
    (
        {%- for dimension in pattern_dimensions() if dimension != without %}
        {% if not loop.first %}and {% endif -%}
        {{ cell }}.{{ dimension }} = {{ other }}.{{ dimension }}
        {%- endfor %}
    )
{%- endmacro %}

{#- True when two combinations (`dimension_<dim>` columns) have the same value (or both none) on
    every dimension but `without`. -#}
{% macro same_values(relation, other, without=none) -%}
    (
        {%- for dimension in pattern_dimensions() if dimension != without %}
        {% if not loop.first %}and {% endif -%}
        {{ relation }}.dimension_{{ dimension }} is not distinct from {{ other }}.dimension_{{ dimension }}
        {%- endfor %}
    )
{%- endmacro %}
