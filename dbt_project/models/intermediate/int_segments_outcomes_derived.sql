{{
    config(
        materialized='incremental',
        unique_key='segment_id',
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['segment_id'], 'unique': true},
            {'columns': ['day']},
            {'columns': ['loaded_at']},
        ],
        post_hook=[
            "{{ partial_index(this, 'segment_id', 'check_count = 0', '(check_count = 0)') }}",
            "delete from {{ this }} where check_count = 0",
            "{{ check_constraint(this, 'segment_columns_not_null', segment_columns_not_null()) }}",
            "{{ partial_index(this, 'evaluated_at', 'is_failed', 'is_failed') }}",
            {'sql': 'vacuum {{ this }}', 'transaction': false},
        ],
    )
}}

-- One row per generated segment: its six pattern dimensions and whether it failed.
-- A segment fails when any of its quality-gate checks failed.
-- The last post-hook vacuums the table after the commit (vacuum runs outside a transaction): it
-- marks the new pages all-visible, so counts over every segment are index-only scans of a
-- narrow index (`assert_single_dimensions_cover_every_segment`: 0.3 s at a year instead of
-- reading the whole 1.9 GB table, 1.5-2.8 s cold, and evicting hotter pages from the cache).
--
-- Incremental by segment: a refresh rebuilds only the segments touched since the last build, i.e.
-- those of the checks loaded since (ingest stamps every row it writes, new or re-delivered, with
-- its file's load time; the newest loaded_at built is the watermark, read through the index on
-- loaded_at before the build and written into the query as a literal). A re-delivered check (same
-- score_id) replaces its row in raw and may name another segment: its old segment then lost a check
-- that no new row points at. The ledger counts, per file, the rows that replaced a row of an
-- earlier file (`rows_replaced`); only when a file loaded since did (or was loaded before that
-- count existed) is every segment's check count and newest load compared with what was built (a
-- scan of all checks, still cheaper than the rebuild). Otherwise the checks are read once (those
-- loaded since, through the BRIN on loaded_at), and a second time for the older checks of touched
-- segments only when some of them were built before (a new day's segments are new). The watermark
-- holds because files load in order and one refresh runs at a time (the refresh lock). A segment
-- left with no check comes out as a stand-in row with check_count 0: delete+insert replaces the
-- built row with it and the post-hook deletes it (found through a partial index that holds only
-- stand-ins).
-- `--full-refresh` rebuilds everything.
-- Not null: a check constraint (post-hook; adding it to an existing table checks every row
-- once) holds every column the patterns group by to not null on all rows but the stand-ins, and
-- the model's test reads that declaration instead of every row (`not_null_by_constraint`).
-- A partial index on evaluated_at over the failed segments serves marts.failed_segments, a view
-- of this model's failed rows: the drill-down's newest failed segments of a period.
-- depends_on: {{ ref('stg_raw__ingested_files') }} (read by incremental builds only)
{%- if is_incremental() -%}
    {%- set last_loaded_at = built_watermark('loaded_at') -%}
{%- endif %}
-- `not materialized`: each CTE over all checks is read once, filtered, never copied.
with checks as not materialized (
    select * from {{ ref('stg_raw__quality_scores') }}
),

{% if is_incremental() %}
    built as not materialized (
        select * from {{ this }}
    ),

    built_totals as (
        select {{ last_loaded_at }} as last_loaded_at
    ),

    -- The watermark is a literal: PostgreSQL then estimates "loaded since" from the statistics
    -- (a few rows) and reads them through the BRIN. As a subquery's value it was estimated at a
    -- third of all checks, and at a year of data the checks were scanned whole (6 s of 30.7M).
    loaded_since as (
        select checks.*
        from checks
        where checks.loaded_at > {{ last_loaded_at }}
    ),

    redelivery as (
        select {{ rows_replaced_since('quality_scores', last_loaded_at) }} as replaced_built_checks
    ),

    current_segments as (
        select
            checks.segment_id,
            count(*) as check_count,
            max(checks.loaded_at) as loaded_at
        from checks
        group by checks.segment_id
    ),

    segments_compared as (
        select coalesce(current_segments.segment_id, built.segment_id) as segment_id
        from current_segments
        full outer join built on current_segments.segment_id = built.segment_id
        where
            (select redelivery.replaced_built_checks from redelivery)
            and (
                current_segments.segment_id is null
                or built.segment_id is null
                or current_segments.check_count != built.check_count
                or current_segments.loaded_at > built.loaded_at
            )
    ),

    touched as (
        select loaded_since.segment_id from loaded_since
        union
        select segments_compared.segment_id from segments_compared
    ),

    -- Without a replacement, each touched segment is looked up in the unique index on segment_id
    -- (a new day's 20k are not found). The planner estimates `touched` at every segment (its
    -- comparison branch), so a join hashed all built segments: 3.4 s of a year's new day.
    -- With a replacement, `touched` may be every segment: then the join.
    touched_built as (
        select touched.segment_id
        from touched
        cross join
            lateral (
                select 1 as is_built
                from built
                where built.segment_id = touched.segment_id
                order by built.segment_id
                limit 1
            ) as found_built
        where not (select redelivery.replaced_built_checks from redelivery)
        union all
        select touched.segment_id
        from touched
        inner join built on touched.segment_id = built.segment_id
        where (select redelivery.replaced_built_checks from redelivery)
    ),

    -- The touched segments' checks: those loaded since, and the older ones of touched segments
    -- built before (a segment not built has none: every older check was in a built segment).
    -- A new day's segments are all new, so the checks are not read a third time.
    touched_checks as (
        select loaded_since.* from loaded_since
        union all
        select checks.*
        from checks
        where
            exists (select from touched_built)
            and checks.loaded_at <= (select built_totals.last_loaded_at from built_totals)
            and checks.segment_id in (select touched_built.segment_id from touched_built)
    ),
{% endif %}

segments as (
    select
        checks.segment_id,
        -- All checks of a segment describe the same generation; max() picks that one value.
        max(checks.job_id) as job_id,
        max(checks.scene_id) as scene_id,
        max(checks.workflow) as workflow,
        max(checks.workflow_version) as workflow_version,
        max(checks.model) as model,
        max(checks.model_version) as model_version,
        max(checks.lora) as lora,
        max(checks.character) as character,
        max(checks.scene_type) as scene_type,
        max(checks.segment_position) as segment_position,
        max(checks.creator) as creator,
        max(checks.project) as project,
        max(checks.evaluated_at) as evaluated_at,
        count(*) as check_count,
        count(*) filter (where not checks.passed) as failed_check_count,
        coalesce(
            array_agg(checks.check_name order by checks.check_name)
            filter (where not checks.passed),
            '{}'
        ) as failed_checks,
        coalesce(
            array_agg(checks.failure_reason order by checks.check_name)
            filter (where not checks.passed and checks.failure_reason is not null),
            '{}'
        ) as failure_reasons,
        max(checks.loaded_at) as loaded_at
    {% if is_incremental() %}
        from touched_checks as checks
    {% else %}
        from checks
    {% endif %}
    group by checks.segment_id
),

final as (
    select
        segments.segment_id,
        segments.job_id,
        segments.scene_id,
        segments.workflow,
        segments.workflow_version,
        segments.model,
        segments.model_version,
        segments.lora,
        segments.character,
        segments.scene_type,
        segments.segment_position,
        {{ segment_position_bucket('segments.segment_position') }} as segment_position_bucket,
        segments.creator,
        segments.project,
        segments.evaluated_at,
        (segments.evaluated_at at time zone 'UTC')::date as day,
        segments.failed_check_count > 0 as is_failed,
        segments.check_count,
        segments.failed_check_count,
        segments.failed_checks,
        segments.failure_reasons,
        segments.loaded_at
    from segments
    {% if is_incremental() %}
        union all
        -- Stand-ins for touched segments left with no check (deleted by the post-hook).
        select
            touched.segment_id,
            null::text as job_id,
            null::text as scene_id,
            null::text as workflow,
            null::text as workflow_version,
            null::text as model,
            null::text as model_version,
            null::text as lora,
            null::text as character,
            null::text as scene_type,
            null::integer as segment_position,
            null::text as segment_position_bucket,
            null::text as creator,
            null::text as project,
            null::timestamptz as evaluated_at,
            null::date as day,
            false as is_failed,
            0::bigint as check_count,
            0::bigint as failed_check_count,
            '{}'::text [] as failed_checks,
            '{}'::text [] as failure_reasons,
            null::timestamptz as loaded_at
        from touched
        where not exists (select from segments where segments.segment_id = touched.segment_id)
    {% endif %}
)

select * from final
