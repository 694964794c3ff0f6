{#- Whether `rate` fails materially more than `reference_rate`, symmetric in failures and
    passes: the failure rate is at least var('min_risk_ratio') times the reference's, or the
    pass rate at most the reference's pass rate divided by it. Near 0 % the first side decides
    (6 % -> 9 %), near 100 % the second (a 72 % parent's child at 100 %: the pass rate drops
    from 28 % to 0 %, which no failure ratio above 1.39 can express). Both rates in [0, 1]; a
    rate not above its reference is never material. -#}
{% macro is_material_excess(rate, reference_rate) -%}
    (
        ({{ rate }}) > ({{ reference_rate }})
        and (
            ({{ rate }}) >= {{ var('min_risk_ratio') }} * ({{ reference_rate }})
            or 1 - ({{ rate }}) <= (1 - ({{ reference_rate }})) / {{ var('min_risk_ratio') }}
        )
    )
{%- endmacro %}

{#- ln of the odds x / (n - x) with half a count added to both sides (Haldane-Anscombe), so a
    rate of 0 % or 100 % has finite log odds; used by the interaction test of rule (c). -#}
{% macro ln_odds(failures, total) -%}
    ln((({{ failures }}) + 0.5)::double precision / (({{ total }}) - ({{ failures }}) + 0.5))
{%- endmacro %}

{#- The variance of that log odds: 1 / (x + 1/2) + 1 / (n - x + 1/2) (Woolf). -#}
{% macro ln_odds_variance(failures, total) -%}
    (
        1 / (({{ failures }}) + 0.5)::double precision
        + 1 / (({{ total }}) - ({{ failures }}) + 0.5)::double precision
    )
{%- endmacro %}
