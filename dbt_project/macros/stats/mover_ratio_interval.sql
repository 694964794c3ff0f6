{#- Confidence interval of a ratio of two independently estimated rates, r1 / r2, by MOVER-R
    (Donner & Zou 2012; Newcombe 2016): built from each rate's own interval (l, u), e.g. Wilson at
    the same z, so it inherits their good behaviour at small counts:
        lower = (r1 r2 - sqrt((r1 r2)² - l1 u2 (2 r1 - l1) (2 r2 - u2))) / (u2 (2 r2 - u2))
        upper = (r1 r2 + sqrt((r1 r2)² - u1 l2 (2 r1 - u1) (2 r2 - l2))) / (l2 (2 r2 - l2))
    The upper bound is null (unbounded) when r2's lower bound is 0 (no failures in the
    denominator's sample). Expressions, usable in any select. Tested against the formula with
    Wilson bounds from scipy.stats.norm.ppf, and against scipy's Katz interval at large counts. -#}
{% macro mover_ratio_lower(rate_1, lower_1, upper_1, rate_2, lower_2, upper_2) -%}
    (
        (
            ({{ rate_1 }}) * ({{ rate_2 }}) - sqrt(greatest(
                0.0::double precision,
                (({{ rate_1 }}) * ({{ rate_2 }})) ^ 2
                - ({{ lower_1 }}) * ({{ upper_2 }})
                * (2 * ({{ rate_1 }}) - ({{ lower_1 }}))
                * (2 * ({{ rate_2 }}) - ({{ upper_2 }}))
            ))
        ) / nullif(({{ upper_2 }}) * (2 * ({{ rate_2 }}) - ({{ upper_2 }})), 0)
    )
{%- endmacro %}

{% macro mover_ratio_upper(rate_1, lower_1, upper_1, rate_2, lower_2, upper_2) -%}
    (
        (
            ({{ rate_1 }}) * ({{ rate_2 }}) + sqrt(greatest(
                0.0::double precision,
                (({{ rate_1 }}) * ({{ rate_2 }})) ^ 2
                - ({{ upper_1 }}) * ({{ lower_2 }})
                * (2 * ({{ rate_1 }}) - ({{ upper_1 }}))
                * (2 * ({{ rate_2 }}) - ({{ lower_2 }}))
            ))
        ) / nullif(({{ lower_2 }}) * (2 * ({{ rate_2 }}) - ({{ lower_2 }})), 0)
    )
{%- endmacro %}
