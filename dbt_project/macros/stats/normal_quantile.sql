{#- Standard normal quantile Φ⁻¹(p) for 0 < p < 1 (null outside): bisection of `normal_cdf` on
    [-38, 0] (100 halvings, past double precision), using Φ⁻¹(p) = -Φ⁻¹(1 - p) for p > 1/2
    so both tails keep their precision. ~100 CDF calls: use it on constants (e.g. the z of a
    confidence level), not per row. Tested against scipy.stats.norm.ppf. -#}
{% macro normal_quantile(p) -%}
    {{ stats_schema() }}.stats_normal_quantile(({{ p }})::double precision)
{%- endmacro %}

{% macro create_normal_quantile_function() -%}
    create or replace function {{ stats_schema() }}.stats_normal_quantile(p double precision)
    returns double precision
    language plpgsql immutable strict parallel safe
    as $$
    declare
        target double precision := least(p, 1 - p);
        low double precision := -38;
        high double precision := 0;
        middle double precision;
    begin
        if p <= 0 or p >= 1 then
            return null;
        end if;
        for step in 1..100 loop  -- 2^-100 of the bracket: past double precision
            middle := (low + high) / 2;
            if {{ stats_schema() }}.stats_normal_cdf(middle) < target then
                low := middle;
            else
                high := middle;
            end if;
        end loop;
        return case when p > 0.5 then -(low + high) / 2 else (low + high) / 2 end;
    end
    $$;
{%- endmacro %}
