-- The parameters of the configuration prediction, one row per level of its hierarchy: the
-- overall background rate (scope `overall`), the prior strength of each dimension set of
-- background_rates (scope e.g. `lora|character`) and the prior strength of full configurations
-- (scope `configuration`), and the strength a value's rate within a pattern is shrunk toward
-- the pattern's rate with (scope `pattern_value`, configuration_rates). The configuration check
-- reads them to predict configurations and
-- combinations that are not in the data yet. Method: docs/alerts.md.
with background as (
    select * from {{ ref('background_rates') }}
),

configurations as (
    select * from {{ ref('configuration_rates') }}
),

cells as (
    select * from {{ ref('int_cells_patterns_matched') }}
),

overall as (
    select
        'overall'::text as scope,
        0 as dimension_count,
        1::bigint as group_count,
        sum(cells.segment_count)::bigint as total_count,
        sum(cells.failure_count)::bigint as failure_count,
        coalesce(sum(cells.segment_count) filter (where not cells.is_in_pattern), 0)::bigint
            as background_total_count,
        coalesce(sum(cells.failure_count) filter (where not cells.is_in_pattern), 0)::bigint
            as background_failure_count,
        null::double precision as dispersion,
        null::double precision as prior_strength
    from cells
),

dimension_sets as (
    select
        background.dimension_set as scope,
        min(background.dimension_count) as dimension_count,
        count(*)::bigint as group_count,
        sum(background.total_count)::bigint as total_count,
        sum(background.failure_count)::bigint as failure_count,
        sum(background.background_total_count)::bigint as background_total_count,
        sum(background.background_failure_count)::bigint as background_failure_count,
        max(background.dispersion) as dispersion,
        max(background.prior_strength) as prior_strength
    from background
    group by background.dimension_set
),

configuration as (
    select
        'configuration'::text as scope,
        6 as dimension_count,
        count(*)::bigint as group_count,
        sum(configurations.total_count)::bigint as total_count,
        sum(configurations.failure_count)::bigint as failure_count,
        sum(configurations.total_count) filter (
            where cardinality(configurations.pattern_keys) = 0
        )::bigint as background_total_count,
        sum(configurations.failure_count) filter (
            where cardinality(configurations.pattern_keys) = 0
        )::bigint as background_failure_count,
        max(configurations.dispersion) as dispersion,
        max(configurations.configuration_strength) as prior_strength
    from configurations
),

pattern_value as (
    select
        'pattern_value'::text as scope,
        null::integer as dimension_count,
        null::bigint as group_count,
        null::bigint as total_count,
        null::bigint as failure_count,
        null::bigint as background_total_count,
        null::bigint as background_failure_count,
        null::double precision as dispersion,
        max(configurations.pattern_value_strength) as prior_strength
    from configurations
),

final as (
    select * from overall
    union all
    select * from dimension_sets
    union all
    select * from configuration
    union all
    select * from pattern_value
)

select * from final
