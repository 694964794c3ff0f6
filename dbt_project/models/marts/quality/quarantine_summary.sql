-- Quarantined rows per day, file kind and broken rule: the data-quality page's summary. A
-- reason names every rule a row broke ("score '1.3' is above the maximum 1; passed is required
-- but missing"); the rule is one of them without the quoted value, so rows that broke the same
-- rule count together whatever their values. A row that broke two rules counts under both.
with quarantine as (
    select * from {{ ref('stg_raw__quarantine') }}
),

files as (
    select * from {{ ref('stg_raw__ingested_files') }}
),

rules as (
    select
        quarantine.quarantine_id,
        (quarantine.quarantined_at at time zone 'UTC')::date as day,
        files.file_kind,
        -- Values are quoted with quote_literal (failmap/ingest/validation.py): '...' with ''
        -- for a quote inside, E'...' when the value holds a backslash.
        unnest(
            string_to_array(
                regexp_replace(quarantine.reason, ' E?''([^'']|'''')*''', '', 'g'), '; '
            )
        ) as rule
    from quarantine
    left join files
        on quarantine.file_id = files.file_id
),

final as (
    select
        rules.day,
        coalesce(rules.file_kind, 'unknown') as file_kind,
        rules.rule,
        count(*)::bigint as row_count
    from rules
    group by
        rules.day,
        coalesce(rules.file_kind, 'unknown'),
        rules.rule
)

select * from final
