{{
    config(
        materialized='incremental',
        unique_key='cell_hash',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['cell_hash'], 'unique': true}],
        post_hook="delete from {{ this }} where segment_count = 0",
    )
}}

-- One row per combination of all six dimension values over the whole history (the per-day
-- cube summed over days): the cells every combination is a union of. `cell_hash` identifies
-- the cell, so a sum of hashes fingerprints the set of cells (= segments) a combination covers.
-- Incremental by cell: when no file loaded since the newest load built replaced checks loaded
-- before (the ledger's `rows_replaced`) and no check loaded since joined a segment built before
-- (`built_segments_changed_since`), every segment loaded since is a new one and no segment
-- counted before changed: the new segments, read through the segment model's index on
-- loaded_at and counted by cell as the cube counts them, are added to the cells built. That
-- holds for a new day's file and for a late batch of new segments on a day already built (a
-- second file of a day: at a year, summing every cell again took 2.9-3.6 s instead of 0.4 s).
-- Otherwise every cell is summed again from the whole cube, and a built cell the cube no
-- longer has comes out with no segments and is deleted by the post-hook. A table built before
-- it kept `last_day` (an older failmap) is summed again.
-- depends_on: {{ ref('int_segments_outcomes_derived') }} (read by incremental builds only)
-- depends_on: {{ ref('stg_raw__ingested_files') }} (read by incremental builds only)
-- depends_on: {{ ref('stg_raw__quality_scores') }} (read by incremental builds only)
{%- set is_additive_possible = built_has_column('last_day') %}
{%- if is_additive_possible -%}
    {%- set last_loaded_at = built_watermark('last_loaded_at') -%}
{%- endif %}
-- `not materialized`: the cube is read only where a CTE filters it, never copied.
with daily_cells as not materialized (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

{% if is_incremental() %}
    -- `not materialized`: a new day's cells are looked up through the unique index.
    built as not materialized (
        select * from {{ this }}
    ),

    {% if is_additive_possible %}
        segments as not materialized (
            select * from {{ ref('int_segments_outcomes_derived') }}
        ),

        built_extent as (
            select max(built.last_day) as last_day
            from built
        ),

        additive as (
            select
                built_extent.last_day is not null
                and not {{ built_segments_changed_since(last_loaded_at) }} as is_additive
            from built_extent
        ),
    {% else %}
        additive as (
            select false as is_additive
        ),
    {% endif %}

    -- One of the two branches runs (its one-time filter): the segments loaded since, as the
    -- cube's rows of them, or every day of the cube.
    counted_cells as (
        {%- if is_additive_possible %}
            select {{ daily_cell_counts('segments') }}
            from segments
            where
                (select additive.is_additive from additive)
                and segments.loaded_at > {{ last_loaded_at }}
            group by {{ daily_cell_keys('segments') }}

            union all
        {% endif %}

        select daily_cells.*
        from daily_cells
        where not (select additive.is_additive from additive)
    ),
{% else %}
    counted_cells as (
        select * from daily_cells
    ),
{% endif %}

summed as (
    select
        {{ dimension_columns('counted_cells', prefix='') }},
        sum(counted_cells.segment_count)::bigint as segment_count,
        sum(counted_cells.failure_count)::bigint as failure_count,
        max(counted_cells.day) as last_day,
        max(counted_cells.last_loaded_at) as last_loaded_at
    from counted_cells
    group by
        {{ dimension_columns('counted_cells', prefix='') }}
),

-- The columns in the table's order (last_day and last_loaded_at were added last).
hashed as (
    select
        {{ dimension_columns('summed', prefix='') }},
        summed.segment_count,
        summed.failure_count,
        hashtextextended(
            concat_ws(
                '|',
                {{ dimension_columns('summed', prefix='') }}
            ),
            0
        ) as cell_hash,
        summed.last_day,
        summed.last_loaded_at
    from summed
),

{% if is_incremental() %}
    -- Added to the cells built, or (every day summed) as summed, plus the built cells the cube
    -- no longer has, with no segments.
    merged as (
        {%- if is_additive_possible %}
            select
                {{ dimension_columns('hashed', prefix='') }},
                hashed.segment_count + coalesce(built.segment_count, 0) as segment_count,
                hashed.failure_count + coalesce(built.failure_count, 0) as failure_count,
                hashed.cell_hash,
                greatest(hashed.last_day, built.last_day) as last_day,
                greatest(hashed.last_loaded_at, built.last_loaded_at) as last_loaded_at
            from hashed
            cross join additive
            left join built
                on hashed.cell_hash = built.cell_hash
            where additive.is_additive

            union all
        {% endif %}

        select hashed.*
        from hashed
        cross join additive
        where not additive.is_additive

        union all

        select
            {{ dimension_columns('built', prefix='') }},
            0::bigint as segment_count,
            0::bigint as failure_count,
            built.cell_hash,
            null::date as last_day,
            null::timestamptz as last_loaded_at
        from built
        cross join additive
        where
            not additive.is_additive
            and not exists (
                select
                from hashed
                where hashed.cell_hash = built.cell_hash
            )
    ),

    final as (
        select * from merged
    )
{% else %}
    final as (
        select * from hashed
    )
{% endif %}

select * from final
