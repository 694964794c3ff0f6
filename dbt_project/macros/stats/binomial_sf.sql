{#- Exact upper tail of the binomial distribution: P(X >= k) for X ~ Binomial(n, p).
    Exact at any count (no normal approximation), so it is valid for small samples. The first
    term comes from log-gamma; the others by the ratio of neighbouring terms, summed away from
    the mode until a term no longer changes the sum (relative 1e-17). For k at or below the
    mean it returns 1 - P(X <= k - 1), summed the same way. k <= 0 gives 1, k > n gives 0.
    Use it to test a count against a known rate (e.g. a day's failures against the baseline).
    Tested against scipy.stats.binom.sf(k - 1, n, p). -#}
{% macro binomial_sf(k, n, p) -%}
    {{ stats_schema() }}.stats_binomial_sf(
        ({{ k }})::bigint, ({{ n }})::bigint, ({{ p }})::double precision
    )
{%- endmacro %}

{% macro create_binomial_sf_function() -%}
    create or replace function {{ stats_schema() }}.stats_binomial_sf(
        k bigint, n bigint, p double precision
    )
    returns double precision
    language plpgsql immutable strict parallel safe
    as $$
    declare
        j bigint;
        term double precision;
        total double precision;
    begin
        if k <= 0 or p >= 1 then
            return 1;
        elsif k > n or p <= 0 then
            return 0;
        end if;
        if k > n * p then
            -- Upper tail: terms shrink from k upwards.
            j := k;
            term := {{ _exp_or_zero() }}(
                {{ stats_schema() }}.stats_ln_choose(n, k) + k * ln(p) + (n - k) * ln(1 - p)
            );
            total := term;
            while term > 1e-290 and j < n and term * 1e17 > total loop
                term := term * (n - j) / (j + 1) * p / (1 - p);
                j := j + 1;
                total := total + term;
            end loop;
            return least(1, total);
        end if;
        -- 1 - P(X <= k - 1): terms shrink from k - 1 downwards.
        j := k - 1;
        term := {{ _exp_or_zero() }}(
            {{ stats_schema() }}.stats_ln_choose(n, j) + j * ln(p) + (n - j) * ln(1 - p)
        );
        total := term;
        while term > 1e-290 and j > 0 and term * 1e17 > total loop
            term := term * j / (n - j + 1) * (1 - p) / p;
            j := j - 1;
            total := total + term;
        end loop;
        return greatest(0, 1 - total);
    end
    $$;
{%- endmacro %}
