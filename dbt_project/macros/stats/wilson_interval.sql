{#- Wilson score interval for a proportion of `successes` in `trials` at normal quantile `z`
    (e.g. `normal_quantile(0.975)` for 95 % two-sided). Unlike the Wald interval it stays inside
    [0, 1] and keeps its coverage for small counts and rates near 0 or 1:
        centre = (x + z²/2) / (n + z²),  half = z / (n + z²) · sqrt(x (n - x) / n + z²/4).
    Null when trials = 0. Expressions, so they work in any select, group by or window.
    Tested against statsmodels' formula recomputed with scipy in tests/dbt. -#}
{% macro wilson_lower(successes, trials, z) -%}
    {{ _wilson_bound(successes, trials, z, '-') }}
{%- endmacro %}

{% macro wilson_upper(successes, trials, z) -%}
    {{ _wilson_bound(successes, trials, z, '+') }}
{%- endmacro %}

{% macro _wilson_bound(successes, trials, z, sign) -%}
    (
        case when ({{ trials }}) > 0 then
            greatest(0.0::double precision, least(1.0::double precision,
                (
                    ({{ successes }})::double precision + ({{ z }}) ^ 2 / 2
                    {{ sign }} ({{ z }}) * sqrt(
                        ({{ successes }})::double precision
                        * (({{ trials }}) - ({{ successes }}))
                        / ({{ trials }})
                        + ({{ z }}) ^ 2 / 4
                    )
                ) / (({{ trials }})::double precision + ({{ z }}) ^ 2)
            ))
        end
    )
{%- endmacro %}
