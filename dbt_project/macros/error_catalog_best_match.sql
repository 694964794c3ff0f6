{#-
    The best error catalog pattern for each message of `messages` (a CTE or relation with a
    text column `message_column`): one row per message that at least one pattern of
    error_catalog_patterns matches (PostgreSQL regular expression, case-insensitive), with
    columns message, pattern_id, category, confidence. When several patterns match, the lowest
    priority wins, then the highest confidence, then category and pattern_id alphabetically, so
    the result never depends on row order.
-#}
{% macro error_catalog_best_match(messages, message_column='message') %}
    select
        ranked_matches.message,
        ranked_matches.pattern_id,
        ranked_matches.category,
        ranked_matches.confidence
    from (
        select
            {{ messages }}.{{ message_column }} as message,
            catalog_patterns.pattern_id,
            catalog_patterns.category,
            catalog_patterns.confidence,
            row_number() over (
                partition by {{ messages }}.{{ message_column }}
                order by
                    catalog_patterns.priority asc,
                    catalog_patterns.confidence desc,
                    catalog_patterns.category asc,
                    catalog_patterns.pattern_id asc
            ) as match_rank
        from {{ messages }}
        inner join {{ ref('error_catalog_patterns') }} as catalog_patterns
            on {{ messages }}.{{ message_column }} ~* catalog_patterns.pattern
    ) as ranked_matches
    where ranked_matches.match_rank = 1
{% endmacro %}
