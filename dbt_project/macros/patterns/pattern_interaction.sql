{#- Rule (c)'s interaction test (docs/patterns.md), from the two 2x2 tables of `tables`: inside
    the parent (`in_value_*`: the candidate, `in_rest_*`: the parent's rest) and outside it
    (`out_value_*`: the dropped value, `out_rest_*`: everything else), each `_failure_count`
    and `_total_count`. Used by the whole history (int_pattern_candidates_ordered) and the
    recent windows (int_window_candidates_evaluated), so both judge a child alike. -#}

{#- The value's log odds ratio outside the parent; 0 (no effect, no variance) when it cannot be
    measured there (the value only occurs inside the parent, or nothing else does). -#}
{% macro interaction_out_ln_odds_ratio(tables) -%}
    case
        when {{ tables }}.out_value_total_count > 0 and {{ tables }}.out_rest_total_count > 0
            then
                {{ ln_odds(tables ~ '.out_value_failure_count', tables ~ '.out_value_total_count') }}
                - {{ ln_odds(tables ~ '.out_rest_failure_count', tables ~ '.out_rest_total_count') }}
        else 0
    end
{%- endmacro %}

{#- ln of the one-sided p-value of ln OR(value within the parent) - ln OR(value outside it) > 0,
    Woolf's variance with half counts, normal tail (`ln_normal_sf`). -#}
{% macro interaction_ln_p_value(tables) -%}
    {%- set out_variance -%}
        case
            when {{ tables }}.out_value_total_count > 0 and {{ tables }}.out_rest_total_count > 0
                then
                    {{ ln_odds_variance(tables ~ '.out_value_failure_count',
                        tables ~ '.out_value_total_count') }}
                    + {{ ln_odds_variance(tables ~ '.out_rest_failure_count',
                        tables ~ '.out_rest_total_count') }}
            else 0
        end
    {%- endset -%}
    {{ ln_normal_sf(
        '(' ~ ln_odds(tables ~ '.in_value_failure_count', tables ~ '.in_value_total_count')
        ~ ' - ' ~ ln_odds(tables ~ '.in_rest_failure_count', tables ~ '.in_rest_total_count')
        ~ ' - ' ~ interaction_out_ln_odds_ratio(tables) ~ ') / sqrt('
        ~ ln_odds_variance(tables ~ '.in_value_failure_count', tables ~ '.in_value_total_count')
        ~ ' + ' ~ ln_odds_variance(tables ~ '.in_rest_failure_count',
            tables ~ '.in_rest_total_count')
        ~ ' + ' ~ out_variance ~ ')'
    ) }}
{%- endmacro %}

{#- The rate the parent's rest predicts for the candidate given the value's effect outside the
    parent (the rest's odds multiplied by that odds ratio). -#}
{% macro interaction_predicted_rate(tables) -%}
    1 / (1 + exp(-(
        {{ ln_odds(tables ~ '.in_rest_failure_count', tables ~ '.in_rest_total_count') }}
        + {{ interaction_out_ln_odds_ratio(tables) }}
    )))
{%- endmacro %}
