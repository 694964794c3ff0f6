{{
    config(
        materialized='incremental',
        unique_key='message',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} where category is null",
    )
}}

-- One row per distinct run error message: the error catalog's best pattern for it (or none)
-- and the signature the grouping engine gave it.
--
-- Incremental by message: matching a message against every catalog pattern is the cost, so a
-- refresh classifies only the messages not built yet and re-joins those whose signature
-- changed. Every row carries a hash of the catalog patterns it was matched with: when the
-- seed differs from it (a pattern added, edited or removed), every message is classified
-- again. A built message that no run error has any more comes out as a stand-in row with a
-- null category: delete+insert replaces the built row with it and the post-hook deletes it.
-- Every row written carries the start of the dbt run that wrote it (classified_at), so that
-- marts.run_errors derives again only the errors of messages classified since its last build.
-- `--full-refresh` rebuilds everything.
with run_errors as (
    select * from {{ ref('int_run_errors_extracted') }}
),

signatures as (
    select * from {{ ref('stg_raw__error_message_signatures') }}
),

catalog_patterns as (
    select * from {{ ref('error_catalog_patterns') }}
),

-- The patterns' content, every column, in a fixed order.
catalog_version as (
    select
        md5(
            coalesce(
                string_agg(catalog_patterns::text, '|' order by catalog_patterns::text), ''
            )
        ) as catalog_hash
    from catalog_patterns
),

messages as (
    select distinct run_errors.message
    from run_errors
),

{% if is_incremental() %}
    built as not materialized (
        select * from {{ this }}
    ),

    -- A table built before the hash was kept (no catalog_hash) counts as another catalog.
    catalog_changed as (
        {% if built_has_column('catalog_hash') %}
            select
                coalesce(bool_or(built.catalog_hash != catalog_version.catalog_hash), false)
                    as is_changed
            from built
            cross join catalog_version
        {% else %}
            select true as is_changed
        {% endif %}
    ),

    changed_messages as (
        select messages.message
        from messages
        left join built
            on messages.message = built.message
        left join signatures
            on messages.message = signatures.message
        where
            (select catalog_changed.is_changed from catalog_changed)
            or built.message is null
            or built.signature_id is distinct from signatures.signature_id
            or built.signature_template is distinct from signatures.signature_template
            or built.candidate_pattern is distinct from signatures.candidate_pattern
    ),
{% endif %}

-- One row per message to classify, its best catalog pattern or nulls.
catalog_matches as (
    {% if is_incremental() %}
        {{ error_catalog_best_match('changed_messages', 'message') }}
    {% else %}
        {{ error_catalog_best_match('messages', 'message') }}
    {% endif %}
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
        signatures.candidate_pattern,
        catalog_version.catalog_hash,
        '{{ run_started_at.isoformat() }}'::timestamptz as classified_at
    from catalog_matches
    cross join catalog_version
    left join signatures
        on catalog_matches.message = signatures.message
    {% if is_incremental() %}
        union all
        -- Stand-ins for built messages no run error has any more (deleted by the post-hook).
        select
            built.message,
            null::text as category,
            null::text as match_type,
            null::text as pattern_id,
            null::numeric as confidence,
            null::text as signature_id,
            null::text as signature_template,
            null::text as candidate_pattern,
            null::text as catalog_hash,
            null::timestamptz as classified_at
        from built
        where not exists (
            select
            from messages
            where messages.message = built.message
        )
    {% endif %}
)

select * from final
