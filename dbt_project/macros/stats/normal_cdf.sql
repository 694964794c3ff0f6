{#- Standard normal CDF Φ(z), accurate to ~1e-14 relative in both tails (so Φ(-8) = 6.2e-16
    is right, not 0): for |z| < 2 the Taylor series Φ(z) = 1/2 + φ(z)(z + z³/3 + z⁵/15 + ...),
    beyond it Laplace's continued fraction for the tail, Q(x) = φ(x) / (x + 1/(x + 2/(x + ...))),
    60 levels deep. One-sided p-value of a z statistic: `normal_cdf(-z)`.
    Tested against scipy.stats.norm.cdf. -#}
{% macro normal_cdf(z) -%}
    {{ stats_schema() }}.stats_normal_cdf(({{ z }})::double precision)
{%- endmacro %}

{% macro create_normal_cdf_function() -%}
    create or replace function {{ stats_schema() }}.stats_normal_cdf(z double precision)
    returns double precision
    language plpgsql immutable strict parallel safe
    as $$
    declare
        x double precision := abs(z);
        density double precision := {{ _exp_or_zero() }}(-x * x / 2) / sqrt(2 * pi());
        term double precision;
        total double precision;
        tail double precision;
        n integer := 0;
    begin
        if x > 38 then
            return case when z > 0 then 1 else 0 end;
        end if;
        if x < 2 then
            term := x;
            total := x;
            while abs(term) > 1e-17 * abs(total) loop
                n := n + 1;
                term := term * x * x / (2 * n + 1);
                total := total + term;
            end loop;
            tail := 0.5 - density * total;
        else
            total := x;
            for depth in reverse 60..1 loop
                total := x + depth / total;
            end loop;
            tail := density / total;
        end if;
        return case when z >= 0 then 1 - tail else tail end;
    end
    $$;
{%- endmacro %}
