{{
    config(
        materialized='incremental',
        unique_key='run_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        indexes=[
            {'columns': ['run_id']},
            {'columns': ['message'], 'type': 'hash'},
            {'columns': ['loaded_at']},
            {'columns': ['classified_at']},
            {'columns': ['settings_hash']},
            {'columns': ['started_on']},
        ],
        post_hook=[
            "delete from {{ this }} where run_error_id is null",
            "{{ unique_index(this, ['run_error_id']) }}",
            "{{ partial_index(this, 'run_id', 'is_fatal', 'is_fatal', unique=true) }}",
            "{{ check_constraint(
                this, 'run_errors_fatal_only_when_failed', \"not is_fatal or run_status = 'failed'\"
            ) }}",
        ],
    )
}}

-- One row per run error (each phase error of any run, and the failure reason of a failed run
-- when no phase error carries it): its catalog category or its signature, what to do about it,
-- and whether the run recovered from it.
--
-- Incremental by run: a refresh derives again only the runs whose rows may have changed, each
-- from all its errors (delete+insert by run_id): the runs loaded since the newest loaded_at
-- built, and the runs with an error whose message was classified since the newest
-- classified_at built (a new signature or a changed error_catalog_patterns seed). Every row
-- keeps a hash of the error_catalog seed and var `pipeline_phases` it was derived with: when
-- they differ (a severity edited, phases reordered), every run is derived again. A run left
-- with no error comes out as a stand-in row with a null run_error_id: delete+insert replaces
-- its built rows with it and the post-hook deletes it. A table built before these columns were
-- kept is derived again whole. `--full-refresh` rebuilds everything.
--
-- Declared, so that PostgreSQL refuses any row that breaks it (and the singular test
-- assert_each_failed_run_has_one_fatal_error need not read every run): a run has at most one
-- fatal error (a unique index on run_id over the fatal errors), and only an error of a failed
-- run is fatal (check constraint run_errors_fatal_only_when_failed).
--
-- The watermarks are asked before the build (through the indexes on those columns) and
-- written into the query as literals: PostgreSQL then estimates "loaded since" from the
-- statistics (a few rows). As subqueries' values they were estimated at a third of all runs,
-- and every run error and message was sorted for a day's few hundred.
{%- set settings_query -%}
    select
        md5(
            coalesce(string_agg(catalog::text, '|' order by catalog::text), '')
            || '|{{ var("pipeline_phases") | join(",") }}'
        ) as settings_hash
    from {{ ref('error_catalog') }} as catalog
{%- endset -%}
{%- set is_rederived = true -%}
{%- set last_loaded_at = "'-infinity'" -%}
{%- set last_classified_at = "'-infinity'" -%}
{%- if execute and is_incremental()
    and built_has_column('settings_hash') and built_has_column('classified_at') -%}
    {%- set watermarks_query -%}
        select
            coalesce(
                (select min(built.settings_hash) from {{ this }} as built) = settings.settings_hash
                and (select max(built.settings_hash) from {{ this }} as built)
                = settings.settings_hash,
                false
            ) as is_current,
            coalesce((select max(built.loaded_at) from {{ this }} as built)::text, '-infinity'),
            coalesce((select max(built.classified_at) from {{ this }} as built)::text, '-infinity')
        from ({{ settings_query }}) as settings
    {%- endset -%}
    {%- set watermarks = run_query(watermarks_query).rows[0] -%}
    {%- set is_rederived = not watermarks[0] -%}
    {%- set last_loaded_at = "'" ~ watermarks[1] ~ "'" -%}
    {%- set last_classified_at = "'" ~ watermarks[2] ~ "'" -%}
{%- endif %}
with all_run_errors as not materialized (
    select * from {{ ref('int_run_errors_extracted') }}
),

messages as not materialized (
    select * from {{ ref('int_error_messages_classified') }}
),

catalog as (
    select * from {{ ref('error_catalog') }}
),

all_runs as not materialized (
    select * from {{ ref('stg_raw__runs') }}
),

-- What a row depends on besides its run and its message: the catalog's rows, every column,
-- in a fixed order, and the pipeline's phases in order.
settings as (
    {{ settings_query }}
),

{% if is_incremental() %}
    built as not materialized (
        select * from {{ this }}
    ),

    -- The runs loaded since, read once; and the older runs with a message classified since,
    -- through the key (a union: joining the changed ids with every run read and hashed them all).
    runs as (
        select all_runs.*
        from all_runs
        {% if not is_rederived -%}
            where all_runs.loaded_at > {{ last_loaded_at }}::timestamptz
            union all
            select all_runs.*
            from all_runs
            where
                all_runs.loaded_at <= {{ last_loaded_at }}::timestamptz
                -- An array, not `in (select ...)`: then the runs are looked up by key (`in`
                -- scanned every run, a third of the new day's build of this model).
                and all_runs.run_id = any(array(
                    select built.run_id
                    from built
                    inner join messages
                        on built.message = messages.message
                    where messages.classified_at > {{ last_classified_at }}::timestamptz
                ))
        {%- endif %}
    ),

{% else %}
    runs as (
        select * from all_runs
    ),
{% endif %}

-- The errors of those runs with the runs' columns. Joined here, from the runs to the errors'
-- key (the runs of a day looked up by run_id): joined in `final`, with the runs estimated at a
-- few, PostgreSQL compared every error of the day with every run of the day.
run_errors as (
    select
        all_run_errors.*,
        runs.is_recovery_attempted,
        runs.status as run_status,
        runs.started_at,
        runs.workflow,
        runs.workflow_version,
        runs.model,
        runs.model_version,
        runs.lora,
        runs.character,
        runs.scene_type,
        runs.tenant,
        runs.error_code,
        runs.loaded_at as run_loaded_at
    from runs
    inner join all_run_errors
        on runs.run_id = all_run_errors.run_id
),

final as (
    select
        run_errors.run_error_id,
        run_errors.run_id,
        run_errors.phase,
        run_errors.phase_order,
        run_errors.error_source,
        run_errors.message,
        run_errors.is_fatal,
        messages.category,
        messages.match_type,
        messages.pattern_id,
        messages.confidence::double precision as confidence,
        messages.signature_id,
        messages.signature_template,
        catalog.severity,
        catalog.is_retryable,
        catalog.recovery_mode,
        run_errors.is_recovery_attempted,
        case
            when not run_errors.is_recovery_attempted then null
            when run_errors.is_fatal then false
            when run_errors.run_status = 'cancelled' then null
            else true
        end as is_recovery_succeeded,
        run_errors.run_status,
        run_errors.started_at,
        (run_errors.started_at at time zone 'UTC')::date as started_on,
        run_errors.workflow,
        run_errors.workflow_version,
        run_errors.model,
        run_errors.model_version,
        run_errors.lora,
        run_errors.character,
        run_errors.scene_type,
        run_errors.tenant,
        run_errors.error_code,
        run_errors.run_loaded_at as loaded_at,
        messages.classified_at,
        settings.settings_hash
    from run_errors
    cross join settings
    left join messages
        on run_errors.message = messages.message
    left join catalog
        on messages.category = catalog.category
    {% if is_incremental() %}
        union all
        -- Stand-ins for built runs left with no error (deleted by the post-hook).
        select
            null::text as run_error_id,
            runs.run_id,
            {%- for column in ['phase', 'phase_order', 'error_source', 'message', 'is_fatal',
                'category', 'match_type', 'pattern_id', 'confidence', 'signature_id',
                'signature_template', 'severity', 'is_retryable', 'recovery_mode',
                'is_recovery_attempted', 'is_recovery_succeeded', 'run_status', 'started_at',
                'started_on', 'workflow', 'workflow_version', 'model', 'model_version', 'lora',
                'character', 'scene_type', 'tenant', 'error_code', 'loaded_at',
                'classified_at', 'settings_hash'] %}
                null as {{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from runs
        where
            exists (
                select
                from built
                where built.run_id = runs.run_id
            )
            and not exists (
                select
                from run_errors
                where run_errors.run_id = runs.run_id
            )
    {% endif %}
)

select * from final
