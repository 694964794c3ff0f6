{#- True when a segment built before `since` may have changed without every day it touched
    being a day of the segments loaded since: a file loaded since replaced checks
    (`rows_replaced_since`), or a check loaded since joined a segment that already had checks
    (a new score_id for an old segment: a later evaluated_at moves the segment to a later day,
    and its old day loses it with no newer load pointing there). A segment has older checks
    when it counts more checks than those loaded since; the test reads only the checks loaded
    since (the BRIN) and looks their segments up.
    Per-day models then compare every day instead of recomputing only the days loaded since.
    The model names `stg_raw__quality_scores` and `stg_raw__ingested_files` in a `depends_on`
    comment: its incremental branch is not rendered when dbt parses it. -#}
{% macro built_segments_changed_since(since) -%}
    (
        {{ rows_replaced_since('quality_scores', since) }}
        or exists (
            -- Counted once (materialized), then each segment looked up by its unique index:
            -- 0.36 s for a new day at a year of data. Inlined, the planner pushed the segment
            -- into the count and read the day's checks again for each segment (150 s); with a
            -- filter on the segments' loaded_at it walked that index for each segment (79 s).
            with checks_since as materialized (
                select
                    touched_checks.segment_id,
                    count(*) as check_count
                from {{ ref('stg_raw__quality_scores') }} as touched_checks
                where touched_checks.loaded_at > {{ since }}
                group by touched_checks.segment_id
            )

            select
            from checks_since
            inner join {{ ref('int_segments_outcomes_derived') }} as touched_segments
                on checks_since.segment_id = touched_segments.segment_id
            where touched_segments.check_count > checks_since.check_count
        )
    )
{%- endmacro %}
