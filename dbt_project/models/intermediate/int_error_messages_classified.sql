-- One row per distinct run error message: the error catalog's best pattern for it (or none)
-- and the signature the grouping engine gave it.
with run_errors as (
    select * from {{ ref('int_run_errors_extracted') }}
),

signatures as (
    select * from {{ ref('stg_raw__error_message_signatures') }}
),

messages as (
    select distinct run_errors.message
    from run_errors
),

-- One row per message, its best catalog pattern or nulls.
catalog_matches as (
    {{ error_catalog_best_match('messages', 'message') }}
),

final as (
    select
        catalog_matches.message,
        coalesce(catalog_matches.category, 'unknown') as category,
        case when catalog_matches.pattern_id is null then 'signature' else 'catalog' end
            as match_type,
        catalog_matches.pattern_id,
        catalog_matches.confidence,
        signatures.signature_id,
        signatures.signature_template,
        signatures.candidate_pattern
    from catalog_matches
    left join signatures
        on catalog_matches.message = signatures.message
)

select * from final
