{#- The sentence a person reads for a pattern, e.g. "LoRA l07 + character c12 fails at segment
    6+: 55% vs 6% baseline over 131 segments". Rates are whole percents (one decimal below 1 %),
    counts have thousands separators; a pattern found in a recent window only ends "... over 57
    segments since 2026-12-05". `relation` has the dimension_<dim> columns, failure_rate,
    baseline_rate, total_count and window_starts_on. -#}
{% macro pattern_description(relation) -%}
    {%- set labels = {
        'workflow': "'workflow ' || ",
        'model': "'model ' || ",
        'lora': "'LoRA ' || ",
        'character': "'character ' || ",
        'scene_type': "'scene type ' || ",
    } -%}
    (
        {{ _capitalized(
            "coalesce(nullif(concat_ws(' + '"
            ~ _dimension_labels(relation, labels)
            ~ "), ''), 'segments')"
        ) }}
        || case
            when {{ relation }}.dimension_segment_position is null then ' fails'
            when {{ relation }}.dimension_count = 1
                then ' at segment ' || {{ relation }}.dimension_segment_position || ' fail'
            else ' fails at segment ' || {{ relation }}.dimension_segment_position
        end
        || ': ' || {{ percent_text(relation ~ '.failure_rate') }}
        || ' vs ' || {{ percent_text(relation ~ '.baseline_rate') }}
        || ' baseline over ' || to_char({{ relation }}.total_count, 'FM999,999,999,990')
        || ' segments'
        -- A pattern found in a recent window only: its rates and count are that window's.
        || coalesce(' since ' || to_char({{ relation }}.window_starts_on, 'YYYY-MM-DD'), '')
    )
{%- endmacro %}

{% macro _dimension_labels(relation, labels) -%}
    {%- for dimension, label in labels.items() -%}
        , {{ label }}{{ relation }}.dimension_{{ dimension }}
    {%- endfor -%}
{%- endmacro %}

{% macro _capitalized(text) -%}
    (upper(left({{ text }}, 1)) || substr({{ text }}, 2))
{%- endmacro %}

{#- A rate in [0, 1] as text: whole percents, one decimal below 1 % ("0.4%"), "<0.1%" above 0
    but below 0.1 % (one decimal would print the 0.045 % of a rare failure as "0.0%", which
    reads as never), "n/a" for null. -#}
{% macro percent_text(rate) -%}
    (
        case
            when ({{ rate }}) is null then 'n/a'
            when ({{ rate }}) > 0 and ({{ rate }}) < 0.001 then '<0.1%'
            when ({{ rate }}) > 0 and ({{ rate }}) < 0.01
                then to_char(({{ rate }}) * 100, 'FM0.0') || '%'
            else round(({{ rate }})::numeric * 100)::text || '%'
        end
    )
{%- endmacro %}
