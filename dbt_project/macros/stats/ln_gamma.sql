{#- ln Γ(x), the natural log of the gamma function, for x >= 0.5 (null below): Lanczos
    approximation with g = 7 and 9 coefficients (Numerical Recipes; relative error < 1e-15).
    ln Γ(n + 1) = ln n!, so log-binomial coefficients and exact tail probabilities can be formed
    without overflow at any count. `ln_choose(n, k)` is ln C(n, k) for 0 <= k <= n.
    Tested against scipy.special.gammaln in tests/dbt/test_stats_functions.py. -#}
{% macro ln_gamma(x) -%}
    {{ stats_schema() }}.stats_ln_gamma(({{ x }})::double precision)
{%- endmacro %}

{% macro ln_choose(n, k) -%}
    {{ stats_schema() }}.stats_ln_choose(({{ n }})::double precision, ({{ k }})::double precision)
{%- endmacro %}

{% macro create_ln_gamma_function() -%}
    create or replace function {{ stats_schema() }}.stats_ln_gamma(x double precision)
    returns double precision
    language sql immutable strict parallel safe
    as $$
        select case when x >= 0.5 then
            0.918938533204672741780329736406::double precision  -- ln sqrt(2 pi)
            + (x - 0.5) * ln(x + 6.5) - (x + 6.5)
            + ln(
                0.99999999999980993::double precision
                + 676.5203681218851::double precision / x
                - 1259.1392167224028::double precision / (x + 1)
                + 771.32342877765313::double precision / (x + 2)
                - 176.61502916214059::double precision / (x + 3)
                + 12.507343278686905::double precision / (x + 4)
                - 0.13857109526572012::double precision / (x + 5)
                + 9.9843695780195716e-6::double precision / (x + 6)
                + 1.5056327351493116e-7::double precision / (x + 7)
            )
        end
    $$;

    create or replace function {{ stats_schema() }}.stats_ln_choose(
        n double precision, k double precision
    )
    returns double precision
    language sql immutable strict parallel safe
    as $$
        select case when k >= 0 and k <= n then
            {{ stats_schema() }}.stats_ln_gamma(n + 1)
            - {{ stats_schema() }}.stats_ln_gamma(k + 1)
            - {{ stats_schema() }}.stats_ln_gamma(n - k + 1)
        end
    $$;
{%- endmacro %}

{#- exp(x) that returns 0 below e^-700 (PostgreSQL raises "underflow" instead of returning 0):
    used by the tail functions, whose far terms are far below double precision. -#}
{% macro _exp_or_zero() -%}
    {{ stats_schema() }}.stats_exp_or_zero
{%- endmacro %}

{% macro create_exp_or_zero_function() -%}
    create or replace function {{ stats_schema() }}.stats_exp_or_zero(x double precision)
    returns double precision
    language sql immutable strict parallel safe
    as $$
        select case when x < -700 then 0 else exp(x) end
    $$;
{%- endmacro %}
