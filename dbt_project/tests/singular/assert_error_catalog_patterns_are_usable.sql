-- Catalog patterns that cannot work as meant: a confidence outside (0, 1], a negative priority,
-- `\b` (a backspace in PostgreSQL, not a word boundary: use \y, \m or \M), or a pattern that
-- matches the empty message (and so every message). An invalid regular expression makes this
-- test fail with PostgreSQL's message naming it.
with catalog_patterns as (
    select * from {{ ref('error_catalog_patterns') }}
),

final as (
    select
        catalog_patterns.pattern_id,
        catalog_patterns.pattern,
        catalog_patterns.confidence,
        catalog_patterns.priority
    from catalog_patterns
    where
        catalog_patterns.confidence <= 0
        or catalog_patterns.confidence > 1
        or catalog_patterns.priority < 0
        or strpos(catalog_patterns.pattern, '\b') > 0
        or '' ~* catalog_patterns.pattern
)

select * from final
