-- Every dimension value with the values of other dimensions it implies: a value that only
-- occurs inside another value (a tool version recorded by one test only, a dataset of one data
-- kind, a LoRA used by one character only part of whose scenes use it) is nested in it, and a
-- combination holding it is compared within that context (docs/patterns.md, "Context").
-- `context_<dim>` is the implied value of <dim>, null when the value's segments have several
-- values of <dim> or when the implied value covers no segment outside it (then the two are
-- aliases, one set of segments under two names, not a context) or every segment (a value
-- all data has, such as LoRA `none` in data without LoRAs, bounds nothing).
{%- set dimensions = pattern_dimensions() %}

with cells as (
    select * from {{ ref('int_cells_aggregated') }}
),

values_summarized as (
    {%- for dimension in dimensions %}
        {%- if not loop.first %}

            union all
        {% endif %}
        select
            '{{ dimension }}' as dimension,
            cells.{{ dimension }} as dimension_value,
            sum(cells.segment_count)::bigint as segment_count,
            {%- for other in dimensions %}
                case
                    when min(cells.{{ other }}) = max(cells.{{ other }})
                        then min(cells.{{ other }})
                end as implied_{{ other }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from cells
        group by cells.{{ dimension }}
    {%- endfor %}
),

totals as (
    select sum(cells.segment_count)::bigint as segment_count
    from cells
),

final as (
    select
        values_summarized.dimension,
        values_summarized.dimension_value,
        {%- for other in dimensions %}
            case
                when
                    values_summarized.dimension != '{{ other }}'
                    and implied_{{ other }}.segment_count > values_summarized.segment_count
                    and implied_{{ other }}.segment_count < totals.segment_count
                    then values_summarized.implied_{{ other }}
            end as context_{{ other }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from values_summarized
    cross join totals
    {%- for other in dimensions %}
        left join values_summarized as implied_{{ other }}
            on
                implied_{{ other }}.dimension = '{{ other }}'
                and values_summarized.implied_{{ other }} = implied_{{ other }}.dimension_value
    {%- endfor %}
)

select * from final
