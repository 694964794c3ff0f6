-- One row per error signature (a template with the variable parts masked): how often and when
-- it occurred, examples, which catalog category its messages fall in, and for unknown ones a
-- suggested category and a candidate pattern for the catalog.
--
-- Summed from the per-day error counts (intermediate.int_run_error_days_aggregated) and the
-- distinct messages (intermediate.int_error_messages_classified), never from every run error.
-- The most frequent phase, fatal error_code and catalog category are the value with the most
-- errors summed over the days, ties to the first in sort order (as `mode()` over the errors
-- gives).
with error_days as (
    select * from {{ ref('int_run_error_days_aggregated') }}
),

messages as (
    select * from {{ ref('int_error_messages_classified') }}
),

signatures as (
    select * from {{ ref('stg_raw__error_message_signatures') }}
),

day_counts as (
    select
        error_days.signature_id,
        sum(error_days.error_count)::bigint as occurrence_count,
        sum(error_days.signature_run_count)::bigint as run_count,
        sum(error_days.fatal_error_count)::bigint as failed_run_count,
        {{ filtered_sum('error_days.error_count', "error_days.match_type = 'signature'") }}
            as unclassified_count,
        min(error_days.first_started_at) as first_seen_at,
        max(error_days.last_started_at) as last_seen_at,
        count(distinct error_days.day) as days_seen_count,
        coalesce(
            array_agg(distinct error_days.phase order by error_days.phase)
            filter (where error_days.phase is not null),
            '{}'
        ) as phases
    from error_days
    group by error_days.signature_id
),

-- The errors per phase, fatal error_code and catalog category of each signature, ranked.
value_counts as (
    select
        error_days.signature_id,
        values_of_row.name,
        values_of_row.value,
        sum(values_of_row.weight) as weight
    from error_days
    cross join
        lateral (
            values
            ('phase', error_days.phase, error_days.error_count),
            ('error_code', error_days.fatal_error_code, error_days.fatal_error_count),
            (
                'category',
                case when error_days.match_type = 'catalog' then error_days.category end,
                error_days.error_count
            )
        ) as values_of_row (name, value, weight)
    where values_of_row.value is not null and values_of_row.weight > 0
    group by error_days.signature_id, values_of_row.name, values_of_row.value
),

top_values as (
    select distinct on (value_counts.signature_id, value_counts.name)
        value_counts.signature_id,
        value_counts.name,
        value_counts.value
    from value_counts
    order by
        value_counts.signature_id asc,
        value_counts.name asc,
        value_counts.weight desc,
        value_counts.value asc
),

message_counts as (
    select
        messages.signature_id,
        count(*) as message_count,
        (array_agg(messages.message order by messages.message))[
            1:{{ var('signature_example_count') }}
        ] as examples
    from messages
    group by messages.signature_id
),

occurrences as (
    select
        day_counts.signature_id,
        day_counts.occurrence_count,
        message_counts.message_count,
        day_counts.run_count,
        day_counts.failed_run_count,
        day_counts.unclassified_count,
        day_counts.first_seen_at,
        day_counts.last_seen_at,
        day_counts.days_seen_count,
        message_counts.examples,
        day_counts.phases,
        top_phases.value as top_phase,
        top_error_codes.value as top_error_code,
        top_categories.value as catalog_category
    from day_counts
    inner join message_counts
        on day_counts.signature_id = message_counts.signature_id
    left join top_values as top_phases
        on
            day_counts.signature_id = top_phases.signature_id
            and top_phases.name = 'phase'
    left join top_values as top_error_codes
        on
            day_counts.signature_id = top_error_codes.signature_id
            and top_error_codes.name = 'error_code'
    left join top_values as top_categories
        on
            day_counts.signature_id = top_categories.signature_id
            and top_categories.name = 'category'
),

-- A signature's template and pattern: its id is a hash of the template, so every row of its
-- messages has the same ones, and the first row the index on signature_id finds is read (not
-- all of them: sorting them read every signature row).
templates as (
    select
        occurrences.signature_id,
        template.signature_template,
        template.candidate_pattern
    from occurrences
    cross join lateral (
        select
            signatures.signature_template,
            signatures.candidate_pattern
        from signatures
        where signatures.signature_id = occurrences.signature_id
        -- No order: every row of the signature has the same template.
        limit 1  -- noqa: AM09
    ) as template
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
