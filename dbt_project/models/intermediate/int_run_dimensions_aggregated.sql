{{
    config(
        materialized='incremental',
        unique_key='dimension',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} where dimension not in ({{ run_dimension_names() }})",
    )
}}

-- One row per run dimension (workflow, model, LoRA, character, scene type) and value, null
-- (no value) included: how many runs have it. marts.debug_recommendations compares an issue's
-- errors with these shares of all runs; counting them there read every run on every refresh.
--
-- Incremental: when no runs file loaded since the newest last_loaded_at built replaced a run
-- of an earlier file (the ledger's rows_replaced), the runs loaded since are new: they are
-- counted and added to the built counts (every row is written again: a few dozen). Otherwise
-- a re-delivered run may have changed a value, and every run is counted again; so too when
-- the table was built with other dimensions. The watermark and the ledger's answer are asked
-- before the build, so that the query holds a literal PostgreSQL estimates from its
-- statistics (and reads the runs loaded since through the BRIN on raw.runs.loaded_at).
-- `--full-refresh` rebuilds everything.
-- depends_on: {{ ref('stg_raw__ingested_files') }} (read by incremental builds only)
{%- set is_added = false -%}
{%- set last_loaded_at = "'-infinity'::timestamptz" -%}
{%- if execute and is_incremental() -%}
    {%- set last_loaded_at = built_watermark('last_loaded_at') -%}
    {%- set state_query -%}
        select
            {{ rows_replaced_since('runs', last_loaded_at) }},
            coalesce(
                (select array_agg(distinct built.dimension order by built.dimension)
                    from {{ this }} as built),
                '{}'
            ) = array[{{ run_dimension_names(sorted=true) }}]::text []
    {%- endset -%}
    {%- set state = run_query(state_query).rows[0] -%}
    {%- set is_added = not state[0] and state[1] -%}
{%- endif %}
with all_runs as not materialized (
    select * from {{ ref('stg_raw__runs') }}
),

runs as (
    select all_runs.*
    from all_runs
    {% if is_added -%}
        where all_runs.loaded_at > {{ last_loaded_at }}
    {%- endif %}
),

counted as (
    select
        dimension.name as dimension,
        dimension.value as dimension_value,
        count(*) as run_count,
        max(runs.loaded_at) as last_loaded_at
    from runs
    cross join {{ run_dimension_values('runs') }}
    group by dimension.name, dimension.value
),

{% if is_added %}
    -- The new runs' counts added to those built.
    added as (
        select
            counted.dimension,
            counted.dimension_value,
            counted.run_count,
            counted.last_loaded_at
        from counted
        union all
        select
            built.dimension,
            built.dimension_value,
            built.run_count,
            built.last_loaded_at
        from {{ this }} as built
    ),

    dimensions as (
        select
            added.dimension,
            added.dimension_value,
            sum(added.run_count)::bigint as run_count,
            max(added.last_loaded_at) as last_loaded_at
        from added
        group by added.dimension, added.dimension_value
    ),
{% else %}
    dimensions as (
        select * from counted
    ),
{% endif %}

final as (
    select
        dimensions.dimension,
        dimensions.dimension_value,
        dimensions.run_count,
        dimensions.last_loaded_at
    from dimensions
)

select * from final
