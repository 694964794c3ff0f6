-- Every combination of 1, 2 and 3 dimensions with their values (6 + 15 + 20 grouping sets over
-- the cells): total and failed segments and a fingerprint of the segments it covers.
with cells as (
    select * from {{ ref('int_cells_aggregated') }}
),

combinations as (
    {{ select_combinations('cells', pattern_dimension_sets(3), with_fingerprint=true) }}
),

final as (
    select
        {{ combination_key('combinations') }} as combination_key,
        combinations.*
    from combinations
)

select * from final
