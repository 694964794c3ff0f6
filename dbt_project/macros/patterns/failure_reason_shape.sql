{#- A failure reason's shape: the words between its numbers. Two reasons of one shape say the
    same thing about other measurements ("face embedding distance 0.53 > 0.35 vs c14 reference"
    and "... 0.61 > 0.35 ..."). A number is a run of digits, with decimals, not preceded by a
    letter, a digit, `_` or `.`: names such as c14, l07 or v1.2 keep their digits, a unit after
    a number ("600s") stays a word. The rule's text is stored with every cached shape
    (int_failure_reason_shapes.shape_rule), so a changed rule never reuses one. -#}
{% macro failure_reason_number_pattern() -%}
    (?<![[:alnum:]_.])[0-9]+(\.[0-9]+)?
{%- endmacro %}

{#- text[]: the reason's words around its numbers (one more than it has numbers). -#}
{% macro failure_reason_words(reason) -%}
    regexp_split_to_array({{ reason }}, '{{ failure_reason_number_pattern() }}')
{%- endmacro %}

{#- text[]: the reason's numbers as written, in order. -#}
{% macro failure_reason_numbers(reason) -%}
    array(
        select found.number[1]
        from regexp_matches({{ reason }}, '({{ failure_reason_number_pattern() }})', 'g')
            as found (number)
    )
{%- endmacro %}
