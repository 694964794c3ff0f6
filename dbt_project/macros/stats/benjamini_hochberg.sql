{#- Benjamini-Hochberg q-values: a select over `relation` returning `key` (one unique column,
    also the tie-breaker, so ranks are deterministic), `bh_rank` (1 = smallest
    p) and `q_value`. Rows whose p-value is null are not tested: they get no rank and a null q
    and do not count in m. With m tested rows ranked by p,
        q_(i) = min over j >= i of min(1, p_(j) · m / j),
    so "q <= α" selects exactly the BH step-up set at false discovery rate α. Join the result
    back on `key`. Two nested windows, hence a relation-level macro rather than an expression.
    Tested against scipy.stats.false_discovery_control. -#}
{% macro benjamini_hochberg(relation, p_value, key, tested_count=none) -%}
    select
        bh_scaled.{{ key }},
        bh_scaled.bh_rank,
        case when bh_scaled.p_value is not null then
            least(1.0::double precision, min(bh_scaled.scaled_p) over (
                order by bh_scaled.bh_rank desc
                rows between unbounded preceding and current row
            ))
        end as q_value
    from (
        select
            bh_ranked.*,
            bh_ranked.p_value * bh_ranked.tested_count / bh_ranked.bh_rank as scaled_p
        from (
            select
                {{ key }},
                ({{ p_value }})::double precision as p_value,
                {{ tested_count if tested_count is not none else 'count(' ~ p_value ~ ') over ()' }}
                    as tested_count,
                case when {{ p_value }} is not null then
                    row_number() over (order by {{ p_value }} nulls last, {{ key }})
                end as bh_rank
            from {{ relation }}
        ) as bh_ranked
    ) as bh_scaled
{%- endmacro %}
