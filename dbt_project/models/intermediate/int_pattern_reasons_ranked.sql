-- What a surfaced pattern's failures are now: its most frequent failure reasons and failing
-- checks, each with its share of the pattern's failed segments (a segment with several failed
-- checks counts for each, so shares need not add up to 1), over its latest failures: the
-- longest recent window (var pattern_window_days, 7 days) ending on its last day with failures
-- (the last before its fall, for a resolved pattern: what it was). Over the whole history an
-- active pattern listed causes fixed months ago (on the LAMMPS results a one-day breakage,
-- "mpirun: command not found", stayed among the top reasons of the patterns it touched three
-- weeks later). Top var('pattern_top_reason_count') of each, as jsonb arrays
-- [{"value": ..., "share": ...}], most frequent first, then by value. Reads the pattern's
-- failed segments of those days (pattern_occurrences), never the whole spine.
--
-- Reasons are counted by shape (macros/patterns/failure_reason_shape.sql): the same words with
-- other numbers in them are one reason. Quality gates write what they measured into the reason
-- ("face embedding distance 0.53 > 0.35 vs c14 reference"); counted verbatim, a year of demo
-- data gave its patterns' top reasons 1-3 % shares each, and the LAMMPS results split "N abs
-- diff and N rel diff checks failed" (half of their failures) into a dozen reasons. A shape is
-- shown with each number that varies over the pattern's failures as its range, in brackets
-- ("face embedding distance [0.36–0.97] > 0.35 vs c14 reference", "between frames
-- [0–79]-[3–91]"); a number all of them share stays as written. Shapes come from
-- int_failure_reason_shapes; a reason it does not hold (listed by an occurrence whose segment
-- has changed since) is split here.
{%- set rule = failure_reason_number_pattern() %}
{%- set longest_window = var('pattern_window_days') | max %}
with occurrences as (
    select * from {{ ref('pattern_occurrences') }}
),

candidates as (
    select * from {{ ref('int_patterns_surfaced') }}
),

pattern_days as (
    select * from {{ ref('int_pattern_days_aggregated') }}
),

statuses as (
    select * from {{ ref('int_pattern_statuses') }}
),

-- Each surfaced pattern's latest failures: the days its reasons are counted on.
reason_windows as (
    select
        pattern_days.pattern_key,
        max(pattern_days.day) - {{ longest_window - 1 }} as reasons_from,
        max(pattern_days.day) as reasons_through
    from pattern_days
    inner join statuses
        on pattern_days.pattern_key = statuses.pattern_key
    where
        pattern_days.failure_count > 0
        and (statuses.status != 'resolved' or pattern_days.day < statuses.ended_on)
    group by pattern_days.pattern_key
),

shapes as (
    select * from {{ ref('int_failure_reason_shapes') }}
),

surfaced_occurrences as (
    select
        occurrences.pattern_key,
        occurrences.segment_id,
        occurrences.failed_checks,
        occurrences.failure_reasons
    from occurrences
    inner join candidates
        on
            occurrences.pattern_key = candidates.pattern_key
            and candidates.verdict = 'surfaced'
    inner join reason_windows
        on occurrences.pattern_key = reason_windows.pattern_key
    where
        (occurrences.evaluated_at at time zone 'UTC')::date
        between reason_windows.reasons_from and reason_windows.reasons_through
),

failed_totals as (
    select
        surfaced_occurrences.pattern_key,
        count(*) as failed_segment_count
    from surfaced_occurrences
    group by surfaced_occurrences.pattern_key
),

-- Each reason a pattern's failed segments list, with how often they list it.
pattern_reasons as (
    select
        surfaced_occurrences.pattern_key,
        listed.reason,
        count(*) as listed_count
    from surfaced_occurrences
    cross join lateral unnest(surfaced_occurrences.failure_reasons) as listed (reason)
    group by surfaced_occurrences.pattern_key, listed.reason
),

-- Each distinct reason's shape: its words around its numbers, and those numbers in order.
reason_shapes as (
    select
        distinct_reasons.reason,
        coalesce(cached.words, {{ failure_reason_words('distinct_reasons.reason') }}) as words,
        coalesce(
            cached.numbers, {{ failure_reason_numbers('distinct_reasons.reason') | indent(12) }}
        ) as numbers
    from (select distinct pattern_reasons.reason from pattern_reasons) as distinct_reasons
    left join shapes as cached
        on
            distinct_reasons.reason = cached.reason
            and cached.shape_rule = '{{ rule }}'
),

-- Each reason a pattern lists with its shape: materialized, read by the counts and the ranges.
pattern_reason_shapes as materialized (
    select
        pattern_reasons.pattern_key,
        pattern_reasons.reason,
        pattern_reasons.listed_count,
        reason_shapes.words,
        reason_shapes.numbers
    from pattern_reasons
    inner join reason_shapes
        on pattern_reasons.reason = reason_shapes.reason
),

-- A segment counts once per shape: the listings of a shape beyond a segment's first, found
-- among the segments that list more than one reason (no other can repeat one).
repeated_listings as (
    select
        per_segment.pattern_key,
        per_segment.words,
        sum(per_segment.listed_count - 1) as repeated_count
    from (
        select
            surfaced_occurrences.pattern_key,
            reason_shapes.words,
            count(*) as listed_count
        from surfaced_occurrences
        cross join lateral unnest(surfaced_occurrences.failure_reasons) as listed (reason)
        inner join reason_shapes
            on listed.reason = reason_shapes.reason
        where cardinality(surfaced_occurrences.failure_reasons) > 1
        group by
            surfaced_occurrences.pattern_key,
            surfaced_occurrences.segment_id,
            reason_shapes.words
        having count(*) > 1
    ) as per_segment
    group by per_segment.pattern_key, per_segment.words
),

-- Each segment counts once per shape and once per check, so the counts are plain counts.
items as (
    select
        shape_counts.pattern_key,
        'reason' as item_kind,
        shape_counts.words,
        array_to_string(shape_counts.words, '#') as item_value,
        shape_counts.listed_count - coalesce(repeated_listings.repeated_count, 0)
            as segment_count
    from (
        select
            pattern_reason_shapes.pattern_key,
            pattern_reason_shapes.words,
            sum(pattern_reason_shapes.listed_count) as listed_count
        from pattern_reason_shapes
        group by pattern_reason_shapes.pattern_key, pattern_reason_shapes.words
    ) as shape_counts
    left join repeated_listings
        on
            shape_counts.pattern_key = repeated_listings.pattern_key
            and shape_counts.words = repeated_listings.words

    union all

    select
        surfaced_occurrences.pattern_key,
        'check' as item_kind,
        null::text[] as words,
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

-- Ranked by count, then by text (a shape by its words), top var('pattern_top_reason_count').
top_items as (
    select ranked.*
    from (
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
    ) as ranked
    where ranked.item_rank <= {{ var('pattern_top_reason_count') }}
),

-- The range of each number of a top shape over the reasons of it the pattern lists.
shape_numbers as materialized (
    select
        top_items.pattern_key,
        top_items.words,
        numbers.position,
        min(numbers.number_text::numeric) as lowest,
        max(numbers.number_text::numeric) as highest
    from pattern_reason_shapes
    inner join top_items
        on
            pattern_reason_shapes.pattern_key = top_items.pattern_key
            and pattern_reason_shapes.words = top_items.words
    cross join
        lateral unnest(pattern_reason_shapes.numbers) with ordinality as numbers (
            number_text, position
        )
    where top_items.item_kind = 'reason'
    group by top_items.pattern_key, top_items.words, numbers.position
),

-- Each top item's text: a shape's words with each number between them, or its range.
shown as (
    select
        top_items.pattern_key,
        top_items.item_kind,
        top_items.item_rank,
        top_items.share,
        coalesce(
            (
                select
                    string_agg(
                        top_items.words[parts.position]
                        || coalesce(
                            case
                                when shape_numbers.lowest = shape_numbers.highest
                                    then shape_numbers.lowest::text
                                else
                                    '[' || shape_numbers.lowest::text || '–'
                                    || shape_numbers.highest::text || ']'
                            end,
                            ''
                        ),
                        ''
                        order by parts.position
                    )
                from generate_subscripts(top_items.words, 1) as parts (position)
                left join shape_numbers
                    on
                        top_items.pattern_key = shape_numbers.pattern_key
                        and top_items.words = shape_numbers.words
                        and parts.position = shape_numbers.position
            ),
            top_items.item_value
        ) as item_value
    from top_items
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
                        'value', shown.item_value, 'share', round(shown.share::numeric, 4)
                    )
                    order by shown.item_rank
                ) filter (where shown.item_kind = '{{ kind }}'),
                '[]'::jsonb
            ) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from failed_totals
    left join shown
        on failed_totals.pattern_key = shown.pattern_key
    group by failed_totals.pattern_key
)

select * from final
