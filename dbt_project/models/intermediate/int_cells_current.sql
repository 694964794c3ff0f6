{{ config(pre_hook="set local enable_mergejoin = off") }}

-- The cells (combinations of all six dimension values) counted over the days that describe
-- them now: what the configuration prediction learns from (int_cells_patterns_matched,
-- background_rates, configuration_rates). A cell's days start at the latest of
--   the latest version change of its model and of its workflow with a `regression` or
--       `improvement` verdict (change_events): the old version's rate no longer applies;
--   the fall of a pattern it lies in (resolved or not yet), once at least as many segments as
--       a resolution needs have come since (int_pattern_statuses.current_from): the old
--       failures are gone;
--   the rise of a pattern it lies in (started_on, when the pattern's series has one): the
--       earlier days were at a lower rate.
-- Cells with none of these keep their whole history. The counts stay exact (no weights), so a
-- cell with few days since its change is shrunk toward its parents by the hierarchy as thin
-- data always is. See docs/alerts.md, "The prediction".
-- The pre-hook turns merge joins off for this model's transaction: joining the per-day cube
-- to the cells on their six text values, the planner sorted both sides (every day's cells,
-- 0.9 s at 5.1M check rows); a hash join reads them in 0.2 s.
-- `not materialized`: the cube is read only through the filters below, never copied.
with daily_cells as not materialized (
    select * from {{ ref('int_daily_cells_aggregated') }}
),

cells as (
    select * from {{ ref('int_cells_aggregated') }}
),

changes as (
    select * from {{ ref('change_events') }}
),

patterns as (
    select * from {{ ref('int_patterns_surfaced') }}
),

statuses as (
    select * from {{ ref('int_pattern_statuses') }}
),

change_points as (
    select * from {{ ref('int_pattern_change_points') }}
),

version_epochs as (
    select
        changes.dimension,
        changes.dimension_value,
        max(changes.changed_on) as starts_on
    from changes
    where changes.verdict in ('regression', 'improvement')
    group by changes.dimension, changes.dimension_value
),

-- Patterns whose series changed: from when their cells are described by the present.
pattern_epochs as (
    select
        patterns.*,
        statuses.current_from as starts_on
    from patterns
    inner join statuses
        on patterns.pattern_key = statuses.pattern_key
    where
        statuses.current_from = statuses.ended_on
        or exists (
            select 1
            from change_points
            where
                change_points.pattern_key = patterns.pattern_key
                and change_points.direction = 'rise'
        )
        or patterns.window_starts_on is not null
),

cell_pattern_epochs as (
    select
        cells.cell_hash,
        max(pattern_epochs.starts_on) as starts_on
    from cells
    inner join pattern_epochs
        on {{ cell_in_combination('cells', 'pattern_epochs') }}
    group by cells.cell_hash
),

cell_epochs as (
    select
        cells.*,
        greatest(
            model_epochs.starts_on, workflow_epochs.starts_on, cell_pattern_epochs.starts_on
        ) as starts_on
    from cells
    left join version_epochs as model_epochs
        on
            model_epochs.dimension = 'model'
            and cells.model = model_epochs.dimension_value
    left join version_epochs as workflow_epochs
        on
            workflow_epochs.dimension = 'workflow'
            and cells.workflow = workflow_epochs.dimension_value
    left join cell_pattern_epochs
        on cells.cell_hash = cell_pattern_epochs.cell_hash
),

-- A cell without an epoch counts its whole history: the cell's own totals. Only the cells
-- with one read the cube, from the earliest epoch on (an array of days: the cube's index on
-- day then reads those days instead of every day of the history).
epoch_days as (
    select
        generate_series(
            min(cell_epochs.starts_on),
            (select max(daily_cells.day) from daily_cells),
            interval '1 day'
        )::date as day
    from cell_epochs
),

current_counts as (
    select
        cell_epochs.cell_hash,
        cell_epochs.segment_count,
        cell_epochs.failure_count
    from cell_epochs
    where cell_epochs.starts_on is null

    union all

    select
        cell_epochs.cell_hash,
        sum(daily_cells.segment_count)::bigint as segment_count,
        sum(daily_cells.failure_count)::bigint as failure_count
    from cell_epochs
    inner join daily_cells
        on
            {{ same_cell('cell_epochs', 'daily_cells') }}
            and cell_epochs.starts_on <= daily_cells.day
    where daily_cells.day = any(array(select epoch_days.day from epoch_days))
    group by cell_epochs.cell_hash
),

final as (
    select
        cell_epochs.workflow,
        cell_epochs.model,
        cell_epochs.lora,
        cell_epochs.character,
        cell_epochs.scene_type,
        cell_epochs.segment_position,
        current_counts.segment_count,
        current_counts.failure_count,
        cell_epochs.cell_hash,
        cell_epochs.starts_on
    from cell_epochs
    inner join current_counts
        on cell_epochs.cell_hash = current_counts.cell_hash
)

select * from final
