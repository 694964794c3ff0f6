-- Every catalog pattern's example is classified into the pattern's own category: the patterns,
-- their priorities and the examples that document them agree. Returns the disagreements.
with catalog_patterns as (
    select * from {{ ref('error_catalog_patterns') }}
),

examples as (
    select distinct catalog_patterns.example
    from catalog_patterns
),

best_matches as (
    {{ error_catalog_best_match('examples', 'example') }}
),

final as (
    select
        catalog_patterns.pattern_id,
        catalog_patterns.category as expected_category,
        best_matches.category as classified_category,
        best_matches.pattern_id as matched_pattern_id,
        catalog_patterns.example
    from catalog_patterns
    left join best_matches
        on catalog_patterns.example = best_matches.message
    where best_matches.category is distinct from catalog_patterns.category
)

select * from final
