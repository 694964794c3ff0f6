{#- Log-likelihood of `failures` in `trials` at their own rate (the maximum over the rate):
    x ln(x/n) + (n - x) ln(1 - x/n), with 0 ln 0 = 0; 0 when there are no trials. The
    difference between the sum over two parts and the whole is the log likelihood ratio of
    "two rates" against "one rate", the change-point statistic of int_pattern_statuses. -#}
{% macro binomial_log_likelihood(failures, trials) -%}
    (
        case
            when ({{ failures }}) > 0
                then ({{ failures }}) * ln(({{ failures }})::double precision / ({{ trials }}))
            else 0
        end
        + case
            when ({{ trials }}) - ({{ failures }}) > 0
                then (({{ trials }}) - ({{ failures }}))
                * ln((({{ trials }}) - ({{ failures }}))::double precision / ({{ trials }}))
            else 0
        end
    )
{%- endmacro %}
