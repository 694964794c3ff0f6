{#- Hierarchical empirical Bayes helpers for the configuration prediction (docs/alerts.md).

    Between-group dispersion of failure rates around group-specific prior rates (method of
    moments), for hierarchical empirical Bayes shrinkage.
    Model: group i has n_i segments and x_i failures; its true rate has mean m_i (the prior
    rate, e.g. from coarser levels) and variance phi * m_i * (1 - m_i), i.e. a beta prior of
    strength M = 1/phi - 1 centred on m_i. Then
        E[(x_i - n_i m_i)^2] = n_i m_i (1 - m_i) * (1 + (n_i - 1) * phi),
    so summing over the groups
        phi = sum((x - n m)^2 - n m (1 - m)) / sum(n (n - 1) m (1 - m)).
    `overdispersion(failures, totals, prior_rate)` is an aggregate expression (use it with
    group by, or give `over` for a window). `prior_strength_from(phi)` turns it into M: null when
    the groups vary no more than binomial noise (phi <= 0: full pooling, every group gets its
    prior rate), 0 when phi >= 1 (no pooling). With M, a group's shrunk rate is
    (x + M m) / (n + M). Tested against a direct computation in tests/dbt. -#}
{% macro overdispersion(failures, totals, prior_rate, over='') -%}
    {%- set x = '(' ~ failures ~ ')::double precision' -%}
    {%- set n = '(' ~ totals ~ ')::double precision' -%}
    {%- set m = '(' ~ prior_rate ~ ')::double precision' -%}
    (
        sum(({{ x }} - {{ n }} * {{ m }}) ^ 2 - {{ n }} * {{ m }} * (1 - {{ m }})) {{ over }}
        / nullif(sum({{ n }} * ({{ n }} - 1) * {{ m }} * (1 - {{ m }})) {{ over }}, 0)
    )
{%- endmacro %}

{% macro prior_strength_from(phi) -%}
    (
        case
            when ({{ phi }}) > 0 then greatest(0.0::double precision, 1 / ({{ phi }}) - 1)
        end
    )
{%- endmacro %}

{#- (x + M m) / (n + M): the posterior mean rate of a group with n segments and x failures under
    a beta prior of strength M centred on m. M null (full pooling) or no segments and M = 0
    give m. -#}
{% macro shrunk_toward(failures, totals, prior_rate, prior_strength) -%}
    (
        case
            when ({{ prior_strength }}) is null then ({{ prior_rate }})::double precision
            else coalesce(
                (
                    ({{ failures }})::double precision
                    + ({{ prior_strength }}) * ({{ prior_rate }})
                ) / nullif(({{ totals }})::double precision + ({{ prior_strength }}), 0),
                ({{ prior_rate }})::double precision
            )
        end
    )
{%- endmacro %}

{#- The dimension set of a combination as text, e.g. `lora|character`: the names of its
    non-null `<relation>.dimension_<dim>` columns in the fixed order. -#}
{% macro dimension_set(relation) -%}
    concat_ws(
        '|'
        {%- for dimension in pattern_dimensions() %},
        case when {{ relation }}.dimension_{{ dimension }} is not null then '{{ dimension }}' end
        {%- endfor %}
    )
{%- endmacro %}

{#- The key of the sub-combination `dimensions` (a list in the fixed order) of a relation with
    `dimension_<dim>` columns, e.g. `lora=l07|character=c12|segment_position=6+`. -#}
{% macro sub_combination_key(relation, dimensions) -%}
    concat_ws(
        '|'
        {%- for dimension in dimensions %},
        '{{ dimension }}=' || {{ relation }}.dimension_{{ dimension }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Log-odds of a rate, the rate held within [1e-6, 1 - 1e-6] so that 0 % and 100 % stay finite
    (a value's shift within a pattern is a difference of log-odds; failmap.alerts.prediction
    uses the same bound). `expit` is its inverse. -#}
{% macro logit(rate) -%}
    ln(
        least(greatest(({{ rate }})::double precision, 1e-6), 1 - 1e-6)
        / (1 - least(greatest(({{ rate }})::double precision, 1e-6), 1 - 1e-6))
    )
{%- endmacro %}

{% macro expit(log_odds) -%}
    (1 / (1 + exp(-({{ log_odds }})::double precision)))
{%- endmacro %}

{#- The key of a pattern plus one more value: the dimensions of `<pattern>.dimension_<dim>`
    (non-null) and `added`, with the values of `<configuration>.dimension_<dim>`, in the fixed
    order, e.g. `workflow=full-regression|model=serial`. -#}
{% macro pattern_value_key(pattern, configuration, added) -%}
    concat_ws(
        '|'
        {%- for dimension in pattern_dimensions() %},
        {%- if dimension == added %}
        '{{ dimension }}=' || {{ configuration }}.dimension_{{ dimension }}
        {%- else %}
        case
            when {{ pattern }}.dimension_{{ dimension }} is not null
                then '{{ dimension }}=' || {{ configuration }}.dimension_{{ dimension }}
        end
        {%- endif %}
        {%- endfor %}
    )
{%- endmacro %}
