{#- The sum of `expression` over the rows where `condition` holds, as a bigint: 0 when no row
    does (as count(*) filter would give), so that counts summed from per-day rows keep the type
    and the zero of counting the rows themselves. -#}
{% macro filtered_sum(expression, condition) -%}
    coalesce(sum({{ expression }}) filter (where {{ condition }}), 0)::bigint
{%- endmacro %}
