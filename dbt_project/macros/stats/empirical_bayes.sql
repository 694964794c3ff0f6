{#- Empirical Bayes shrinkage of rates toward their pooled rate (beta-binomial model).
    `beta_prior_strength(failures, totals, over)`: the prior's weight M in segments, estimated
    by the method of moments from a set of cells (a group, or a window when `over` is given,
    e.g. "over (partition by x_dimension, y_dimension)"). With p the pooled rate, N = Σn,
    K cells and S = Σ n·(x/n - p)² (= Σ x²/n - N·p²), the between-cell variance of the true
    rates is τ² = (S - (K - 1)·p(1 - p)) / (N - Σn²/N) and M = p(1 - p)/τ² - 1.
    When the cells vary no more than binomial noise (τ² <= 0) there is nothing to tell them
    apart: M is null and `shrunk_rate` returns the pooled rate.
    `shrunk_rate(x, n, pooled_rate, prior_strength)` = (x + M·p) / (n + M): a 2-of-3 cell stays
    near the pooled rate, a 300-of-1000 cell keeps its own. Tested in tests/dbt. -#}
{% macro beta_prior_strength(failures, totals, over='') -%}
    {%- set n = '(' ~ totals ~ ')::double precision' -%}
    {%- set x = '(' ~ failures ~ ')::double precision' -%}
    {%- set pooled = 'sum(' ~ x ~ ') ' ~ over ~ ' / nullif(sum(' ~ n ~ ') ' ~ over ~ ', 0)' -%}
    {%- set total = 'sum(' ~ n ~ ') ' ~ over -%}
    {%- set spread -%}
        (
            sum({{ x }} ^ 2 / nullif({{ n }}, 0)) {{ over }}
            - {{ total }} * ({{ pooled }}) ^ 2
            - (count(*) {{ over }} - 1) * ({{ pooled }}) * (1 - {{ pooled }})
        ) / nullif({{ total }} - sum({{ n }} ^ 2) {{ over }} / nullif({{ total }}, 0), 0)
    {%- endset -%}
    (
        case when {{ spread }} > 0 then
            greatest(0.0::double precision,
                ({{ pooled }}) * (1 - {{ pooled }}) / ({{ spread }}) - 1)
        end
    )
{%- endmacro %}

{% macro shrunk_rate(failures, totals, pooled_rate, prior_strength) -%}
    (
        case
            when ({{ prior_strength }}) is null then ({{ pooled_rate }})::double precision
            else (
                ({{ failures }})::double precision
                + ({{ prior_strength }}) * ({{ pooled_rate }})
            ) / (({{ totals }})::double precision + ({{ prior_strength }}))
        end
    )
{%- endmacro %}
