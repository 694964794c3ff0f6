-- What a surfaced pattern's failures are: its most frequent failure reasons and failing checks,
-- each with its share of the pattern's failed segments (a segment with several failed checks
-- counts for each, so shares need not add up to 1). Top var('pattern_top_reason_count') of
-- each, as jsonb arrays [{"value": ..., "share": ...}], most frequent first, then by value.
-- Reads the pattern's failed segments (pattern_occurrences), never the whole spine.
with occurrences as (
    select * from {{ ref('pattern_occurrences') }}
),

candidates as (
    select * from {{ ref('int_patterns_surfaced') }}
),

surfaced_occurrences as (
    select occurrences.*
    from occurrences
    inner join candidates
        on
            occurrences.pattern_key = candidates.pattern_key
            and candidates.verdict = 'surfaced'
),

failed_totals as (
    select
        surfaced_occurrences.pattern_key,
        count(*) as failed_segment_count
    from surfaced_occurrences
    group by surfaced_occurrences.pattern_key
),

-- Each segment counts once per reason and check: its values are made distinct in the lateral
-- (a segment's checks can share a reason), so the counts are plain counts, which PostgreSQL
-- hashes; `count(distinct segment_id)` sorted 460k rows per kind at a year of data (twice as long).
items as (
    select
        surfaced_occurrences.pattern_key,
        'reason' as item_kind,
        reasons.item_value,
        count(*) as segment_count
    from surfaced_occurrences
    cross join
        lateral (
            select distinct listed.reason
            from unnest(surfaced_occurrences.failure_reasons) as listed (reason)
        ) as reasons (item_value)
    group by surfaced_occurrences.pattern_key, reasons.item_value

    union all

    select
        surfaced_occurrences.pattern_key,
        'check' as item_kind,
        checks.item_value,
        count(*) as segment_count
    from surfaced_occurrences
    cross join
        lateral (
            select distinct listed.failed_check
            from unnest(surfaced_occurrences.failed_checks) as listed (failed_check)
        ) as checks (item_value)
    group by surfaced_occurrences.pattern_key, checks.item_value
),

ranked as (
    select
        items.*,
        items.segment_count::double precision / failed_totals.failed_segment_count as share,
        row_number() over (
            partition by items.pattern_key, items.item_kind
            order by items.segment_count desc, items.item_value asc
        ) as item_rank
    from items
    inner join failed_totals
        on items.pattern_key = failed_totals.pattern_key
),

final as (
    select
        failed_totals.pattern_key,
        {%- for kind, column in [
            ('reason', 'top_failure_reasons'), ('check', 'top_failing_checks')
        ] %}
            coalesce(
                jsonb_agg(
                    jsonb_build_object(
                        'value', ranked.item_value, 'share', round(ranked.share::numeric, 4)
                    )
                    order by ranked.item_rank
                ) filter (where ranked.item_kind = '{{ kind }}'),
                '[]'::jsonb
            ) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from failed_totals
    left join ranked
        on
            failed_totals.pattern_key = ranked.pattern_key
            and ranked.item_rank <= {{ var('pattern_top_reason_count') }}
    group by failed_totals.pattern_key
)

select * from final
