-- One row per error signature (a template with the variable parts masked): how often and when
-- it occurred, examples, which catalog category its messages fall in, and for unknown ones a
-- suggested category and a candidate pattern for the catalog.
with run_errors as (
    select * from {{ ref('run_errors') }}
),

signatures as (
    select * from {{ ref('stg_raw__error_message_signatures') }}
),

occurrences as (
    select
        run_errors.signature_id,
        count(*) as occurrence_count,
        count(distinct run_errors.message) as message_count,
        count(distinct run_errors.run_id) as run_count,
        count(*) filter (where run_errors.is_fatal) as failed_run_count,
        count(*) filter (where run_errors.match_type = 'signature') as unclassified_count,
        min(run_errors.started_at) as first_seen_at,
        max(run_errors.started_at) as last_seen_at,
        count(distinct run_errors.started_on) as days_seen_count,
        (array_agg(distinct run_errors.message order by run_errors.message))[
            1:{{ var('signature_example_count') }}
        ] as examples,
        coalesce(
            array_agg(distinct run_errors.phase order by run_errors.phase)
            filter (where run_errors.phase is not null),
            '{}'
        ) as phases,
        mode() within group (order by run_errors.phase) as top_phase,
        mode() within group (order by run_errors.error_code)
        filter (where run_errors.is_fatal) as top_error_code,
        mode() within group (order by run_errors.category)
        filter (where run_errors.match_type = 'catalog') as catalog_category
    from run_errors
    group by run_errors.signature_id
),

templates as (
    select distinct
        signatures.signature_id,
        signatures.signature_template,
        signatures.candidate_pattern
    from signatures
),

named as (
    select
        occurrences.*,
        templates.signature_template,
        templates.candidate_pattern,
        -- "torch.OutOfMemoryError: ..." -> OutOfMemoryError
        substring(
            templates.signature_template
            from '^(?:[A-Za-z_][A-Za-z0-9_]*\.)*([A-Z][A-Za-z0-9]*(?:Error|Exception|Fault))\M'
        ) as exception_name,
        lower(regexp_replace(occurrences.top_error_code, '^E_', '')) as error_code_name,
        coalesce(
            {{ pipeline_phase_order(
                "lower(regexp_replace(occurrences.top_error_code, '^E_', ''))"
            ) }} <= {{ var('pipeline_phases') | length }},
            false
        ) as is_error_code_a_phase
    from occurrences
    inner join templates
        on occurrences.signature_id = templates.signature_id
),

final as (
    select
        named.signature_id,
        named.signature_template as template,
        named.occurrence_count,
        named.message_count,
        named.run_count,
        named.failed_run_count,
        named.unclassified_count,
        named.unclassified_count = named.occurrence_count as is_unknown,
        round(
            1 - named.unclassified_count::numeric / named.occurrence_count, 4
        )::double precision as catalog_match_rate,
        coalesce(named.catalog_category, 'unknown') as catalog_category,
        case
            when named.catalog_category is not null then named.catalog_category
            when named.exception_name is not null
                then lower(
                    regexp_replace(
                        regexp_replace(named.exception_name, '([a-z0-9])([A-Z])', '\1_\2', 'g'),
                        '([A-Z])([A-Z][a-z])', '\1_\2', 'g'
                    )
                )
            -- E_WORKER_LOST -> worker_lost; E_ENCODE -> encode_error (a phase is no category)
            when named.is_error_code_a_phase then named.error_code_name || '_error'
            when named.error_code_name is not null then named.error_code_name
            when named.top_phase is not null then named.top_phase || '_error'
            else 'unknown'
        end as suggested_category,
        named.candidate_pattern,
        named.examples,
        named.phases,
        named.top_phase,
        named.top_error_code,
        named.first_seen_at,
        named.last_seen_at,
        named.days_seen_count
    from named
)

select * from final
