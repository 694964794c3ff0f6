{{
    config(
        materialized='incremental',
        unique_key='day',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['day']}],
        post_hook="delete from {{ this }} where error_count is null",
    )
}}

-- One row per UTC day, phase, category, match type, signature and (for fatal errors) the
-- run's error_code with run errors: how many errors, how many of them fatal, how many the run
-- got past, of how many runs each is the first error with its signature, and the first and
-- last run start. A run has at most one error per phase (and one failure_reason row), so a
-- row's errors are as many distinct runs, and counts add up over days and categories. The
-- error marts sum these rows over periods (error_signatures over all days) instead of every
-- error.
--
-- Incremental by day: a refresh sums again only the days whose errors may have changed: the
-- days whose runs changed (intermediate.int_run_days_aggregated has other totals or a newer
-- loaded_at for them than this table keeps), the days with an error whose message was
-- classified since the newest classified_at built, and every day when var `pipeline_phases`
-- changed (it decides which error is fatal). A built day left with no error comes out as a
-- stand-in row with a null error_count: delete+insert replaces its rows with it and the
-- post-hook deletes it. `--full-refresh` rebuilds everything. The classification watermark is
-- asked before the build and written into the query as a literal, so that PostgreSQL estimates
-- the errors classified since from the statistics (and reads them through the index).
{%- set last_classified_at = "'-infinity'" -%}
{%- if execute and is_incremental() and built_has_column('last_classified_at') -%}
    {%- set watermark_query -%}
        select coalesce(max(built.last_classified_at)::text, '-infinity') from {{ this }} as built
    {%- endset -%}
    {%- set last_classified_at = "'" ~ run_query(watermark_query).rows[0][0] ~ "'" -%}
{%- endif %}
with all_run_errors as not materialized (
    select * from {{ ref('run_errors') }}
),

run_days as (
    select
        run_days.day,
        sum(run_days.run_count) as total_count,
        sum(run_days.run_count) filter (where run_days.status = 'failed') as failure_count,
        max(run_days.last_loaded_at) as last_loaded_at
    from {{ ref('int_run_days_aggregated') }} as run_days
    group by run_days.day
),

{% if is_incremental() %}
    built as not materialized (
        select * from {{ this }}
    ),

    built_days as (
        select
            built.day,
            max(built.day_run_count) as total_count,
            max(built.day_failed_run_count) as failure_count,
            max(built.day_last_loaded_at) as last_loaded_at
        from built
        group by built.day
    ),

    -- A table built before the phases, or the counts error_signatures sums, were kept counts
    -- as built with other phases: every day is summed again.
    watermarks as (
        {% if built_has_column('pipeline_phases') and built_has_column('signature_run_count') %}
            select
                coalesce(
                    bool_or(built.pipeline_phases != '{{ var("pipeline_phases") | join(",") }}'),
                    false
                ) as is_rederived
            from built
        {% else %}
            select true as is_rederived
        {% endif %}
    ),

    changed_days as (
        {{ changed_days('run_days', 'built_days') }}
        union
        select all_run_errors.started_on as day
        from all_run_errors
        where all_run_errors.classified_at > {{ last_classified_at }}::timestamptz
        union
        select run_days.day
        from run_days
        where (select watermarks.is_rederived from watermarks)
    ),

    run_errors as (
        select all_run_errors.*
        from all_run_errors
        where all_run_errors.started_on in (select changed_days.day from changed_days)
    ),
{% else %}
    run_errors as (
        select * from all_run_errors
    ),
{% endif %}

-- Whether an error is the first of its run with its signature: summed over a signature's
-- rows, these count its distinct runs (a run belongs to one day).
run_errors_marked as (
    select
        run_errors.*,
        case when run_errors.is_fatal then run_errors.error_code end as fatal_error_code,
        row_number() over (
            partition by run_errors.run_id, run_errors.signature_id
            order by run_errors.run_error_id
        ) = 1 as is_first_of_signature_in_run
    from run_errors
),

error_days as (
    select
        run_errors_marked.started_on as day,
        run_errors_marked.phase,
        run_errors_marked.category,
        run_errors_marked.match_type,
        run_errors_marked.signature_id,
        run_errors_marked.fatal_error_code,
        count(*) as error_count,
        count(*) filter (where run_errors_marked.is_fatal) as fatal_error_count,
        count(*) filter (where run_errors_marked.is_recovery_succeeded) as recovered_error_count,
        count(*) filter (where run_errors_marked.is_first_of_signature_in_run)
            as signature_run_count,
        min(run_errors_marked.started_at) as first_started_at,
        max(run_errors_marked.started_at) as last_started_at,
        max(run_errors_marked.classified_at) as last_classified_at
    from run_errors_marked
    group by
        run_errors_marked.started_on,
        run_errors_marked.phase,
        run_errors_marked.category,
        run_errors_marked.match_type,
        run_errors_marked.signature_id,
        run_errors_marked.fatal_error_code
),

final as (
    select
        error_days.day,
        error_days.phase,
        error_days.category,
        error_days.match_type,
        error_days.signature_id,
        error_days.fatal_error_code,
        error_days.error_count,
        error_days.fatal_error_count,
        error_days.recovered_error_count,
        error_days.signature_run_count,
        error_days.first_started_at,
        error_days.last_started_at,
        error_days.last_classified_at,
        run_days.total_count as day_run_count,
        run_days.failure_count as day_failed_run_count,
        run_days.last_loaded_at as day_last_loaded_at,
        '{{ var("pipeline_phases") | join(",") }}' as pipeline_phases
    from error_days
    inner join run_days
        on error_days.day = run_days.day
    {% if is_incremental() %}
        union all
        -- Stand-ins for built days left with no error (deleted by the post-hook).
        select
            built_days.day,
            null::text as phase,
            null::text as category,
            null::text as match_type,
            null::text as signature_id,
            null::text as fatal_error_code,
            null::bigint as error_count,
            null::bigint as fatal_error_count,
            null::bigint as recovered_error_count,
            null::bigint as signature_run_count,
            null::timestamptz as first_started_at,
            null::timestamptz as last_started_at,
            null::timestamptz as last_classified_at,
            null::bigint as day_run_count,
            null::bigint as day_failed_run_count,
            null::timestamptz as day_last_loaded_at,
            null::text as pipeline_phases
        from built_days
        where
            (
                built_days.day in (select changed_days.day from changed_days)
                or built_days.day not in (select run_days.day from run_days)
            )
            and not exists (
                select
                from error_days
                where error_days.day = built_days.day
            )
    {% endif %}
)

select * from final
