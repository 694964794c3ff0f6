{#- Exact upper tail of the hypergeometric distribution: P(X >= k) when `draws` items are drawn
    without replacement from `population` items of which `successes` are successes.
    This is the one-sided Fisher exact test of a 2x2 table: with a combination of `draws`
    segments holding k of all `successes` failures among `population` segments, it is the
    probability of k or more failures in the combination if failing were unrelated to it.
    Exact at any count, so it stays valid for small combinations (it is conservative, never
    anti-conservative). Computed like `binomial_sf`: first term from log-gamma, then neighbour
    ratios summed away from the mode to relative precision 1e-17; for k at or below the mean,
    1 - P(X <= k - 1). Tested against scipy.stats.hypergeom.sf(k - 1, population, successes,
    draws). -#}
{% macro hypergeometric_sf(k, draws, successes, population) -%}
    {{ stats_schema() }}.stats_hypergeometric_sf(
        ({{ k }})::bigint,
        ({{ draws }})::bigint,
        ({{ successes }})::bigint,
        ({{ population }})::bigint
    )
{%- endmacro %}

{#- Pieces of the hypergeometric functions' bodies (stats_hypergeometric_sf and
    stats_ln_hypergeometric_sf in ln_tails.sql), written with their argument names and
    `failures_outside` = population - successes. `_hypergeometric_ln_term(j)` = ln P(X = j);
    `_hypergeometric_ratio_up(j)` = P(X = j + 1) / P(X = j), the next term away from the mode
    in the upper tail. -#}
{% macro _hypergeometric_ln_term(j) -%}
    {{ stats_schema() }}.stats_ln_choose(successes, {{ j }})
    + {{ stats_schema() }}.stats_ln_choose(failures_outside, draws - {{ j }})
    - {{ stats_schema() }}.stats_ln_choose(population, draws)
{%- endmacro %}

{% macro _hypergeometric_ratio_up(j) -%}
    (successes - {{ j }})::double precision * (draws - {{ j }})
    / (({{ j }} + 1)::double precision * (failures_outside - draws + {{ j }} + 1))
{%- endmacro %}

{% macro create_hypergeometric_sf_function() -%}
    create or replace function {{ stats_schema() }}.stats_hypergeometric_sf(
        k bigint, draws bigint, successes bigint, population bigint
    )
    returns double precision
    language plpgsql immutable strict parallel safe
    as $$
    declare
        failures_outside bigint := population - successes;
        lowest bigint := greatest(0, draws - (population - successes));
        highest bigint := least(draws, successes);
        j bigint;
        term double precision;
        total double precision;
    begin
        if draws < 0 or successes < 0 or draws > population or successes > population then
            return null;
        elsif k <= lowest then
            return 1;
        elsif k > highest then
            return 0;
        end if;
        if k::double precision > draws::double precision * successes / population then
            -- Upper tail: terms shrink from k upwards.
            j := k;
            term := {{ _exp_or_zero() }}({{ _hypergeometric_ln_term('j') }});
            total := term;
            while term > 1e-290 and j < highest and term * 1e17 > total loop
                term := term * {{ _hypergeometric_ratio_up('j') }};
                j := j + 1;
                total := total + term;
            end loop;
            return least(1, total);
        end if;
        -- 1 - P(X <= k - 1): terms shrink from k - 1 downwards.
        j := k - 1;
        term := {{ _exp_or_zero() }}({{ _hypergeometric_ln_term('j') }});
        total := term;
        while term > 1e-290 and j > lowest and term * 1e17 > total loop
            term := term * j::double precision * (failures_outside - draws + j)
                / ((successes - j + 1)::double precision * (draws - j + 1));
            j := j - 1;
            total := total + term;
        end loop;
        return greatest(0, 1 - total);
    end
    $$;
{%- endmacro %}
