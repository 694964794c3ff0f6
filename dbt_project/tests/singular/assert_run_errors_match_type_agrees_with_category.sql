-- A run error is either classified by a catalog pattern (category from the catalog, a pattern
-- and a confidence) or unknown and known by its signature (no pattern, no confidence).
with run_errors as (
    select * from {{ ref('run_errors') }}
),

final as (
    select
        run_errors.run_error_id,
        run_errors.category,
        run_errors.match_type,
        run_errors.pattern_id,
        run_errors.confidence
    from run_errors
    where not (
        (
            run_errors.match_type = 'catalog'
            and run_errors.category != 'unknown'
            and run_errors.pattern_id is not null
            and run_errors.confidence > 0
        )
        or (
            run_errors.match_type = 'signature'
            and run_errors.category = 'unknown'
            and run_errors.pattern_id is null
            and run_errors.confidence is null
        )
    )
)

select * from final
