{#-
    The best error catalog pattern for each message of `messages` (a CTE or relation with a
    text column `message_column`): one row per message, with columns message, pattern_id,
    category, confidence (null when no pattern of error_catalog_patterns matches; PostgreSQL
    regular expressions, case-insensitive). When several patterns match, the lowest priority
    wins, then the highest confidence, then category and pattern_id alphabetically, so the
    result never depends on row order.

    A lateral probe per message: the cost is messages x patterns whatever the planner knows
    about freshly built tables (a ranked join of all matches, joined back to the messages,
    ran for over 8 minutes on 115k messages when the planner guessed wrong).
-#}
{% macro error_catalog_best_match(messages, message_column='message') %}
    select
        {{ messages }}.{{ message_column }} as message,
        best_pattern.pattern_id,
        best_pattern.category,
        best_pattern.confidence
    from {{ messages }}
    left join lateral (
        select
            catalog_patterns.pattern_id,
            catalog_patterns.category,
            catalog_patterns.confidence
        from {{ ref('error_catalog_patterns') }} as catalog_patterns
        where {{ messages }}.{{ message_column }} ~* catalog_patterns.pattern
        order by
            catalog_patterns.priority asc,
            catalog_patterns.confidence desc,
            catalog_patterns.category asc,
            catalog_patterns.pattern_id asc
        limit 1
    ) as best_pattern on true
{% endmacro %}
