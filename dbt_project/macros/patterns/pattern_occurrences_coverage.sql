{#- How far marts.pattern_occurrences is complete for each pattern it holds, so that a refresh
    adds a new day's failing segments instead of rewriting every surfaced pattern's (5 s of a
    year's new day). One row per pattern that ever surfaced: the window its rows cover
    (window_starts_on, null = every day) and the newest segment load they include
    (covered_through). The table sits beside the model and is written by the model's own
    post-hook, inside the model's transaction: the rows and their coverage commit together, or
    neither does. A pattern that resolves keeps its rows and its coverage; when it surfaces
    again, the segments loaded meanwhile are added from its own covered_through. -#}
{% macro occurrences_coverage_relation() -%}
    {{ return(api.Relation.create(
        database=this.database, schema=this.schema, identifier=this.identifier ~ '_coverage'
    )) }}
{%- endmacro %}

{#- Pre-hook: the coverage table, empty on a home that never had it (every pattern is then
    rebuilt in full once, as before it existed) and emptied when the model is built from
    scratch (its rows are gone; a pattern covered before would otherwise skip its history when
    it surfaces again). Rendered before the build: in the post-hook the table exists and
    is_incremental() is true even for a first build. -#}
{% macro occurrences_coverage_prepared() -%}
    {%- set coverage = occurrences_coverage_relation() -%}
    create table if not exists {{ coverage }} (
        pattern_key text primary key,
        window_starts_on date,
        covered_through timestamptz not null
    )
    {%- if not is_incremental() -%}
        ;
        truncate {{ coverage }}
    {%- endif -%}
{%- endmacro %}

{#- Each surfaced pattern, its window and the load its rows are complete through, or null when
    its rows must be rebuilt in full: a pattern never covered (new, or the table built from
    scratch), a window that reaches back before the rows' window, or a check that a file loaded
    after covered_through replaced (a re-delivery can take a segment out of a pattern, or delete
    it, without a segment loaded since pointing at it: `rows_replaced`, counted at ingest). A
    full refresh (the nightly one, which keeps this model incremental) rebuilds every surfaced
    pattern, as it rebuilds every other derived model, to undo any drift. -#}
{% macro occurrences_plan() -%}
    {%- set coverage = none -%}
    {%- if execute and is_incremental() and not flags.FULL_REFRESH -%}
        {%- set coverage = adapter.get_relation(
            database=this.database, schema=this.schema, identifier=this.identifier ~ '_coverage'
        ) -%}
    {%- endif -%}
    select
        surfaced.pattern_key,
        surfaced.window_starts_on,
        case
            when
                coverage.window_starts_on is not null
                and (
                    surfaced.window_starts_on is null
                    or surfaced.window_starts_on < coverage.window_starts_on
                )
                then null
            when coverage.covered_through < replaced.replaced_at then null
            else coverage.covered_through
        end as covered_through
    from {{ ref('int_patterns_surfaced') }} as surfaced
    {% if coverage is none -%}
        left join (
            select
                null::text as pattern_key,
                null::date as window_starts_on,
                null::timestamptz as covered_through
            where false
        ) as coverage
    {%- else -%}
        left join {{ coverage }} as coverage
    {%- endif %}
        on surfaced.pattern_key = coverage.pattern_key
    cross join (
        select max(files.loaded_at) as replaced_at
        from {{ ref('stg_raw__ingested_files') }} as files
        where
            files.file_kind = 'quality_scores'
            and files.status = 'loaded'
            and coalesce(files.rows_replaced, 1) > 0
    ) as replaced
    where surfaced.verdict = 'surfaced'
{%- endmacro %}

{#- What the build reads of the segment model, as literals (so that PostgreSQL reads through the
    indexes on loaded_at and day; see `built_watermark`): `changed_since`, the oldest
    covered_through ('infinity' when no pattern is covered: the covered patterns need only the
    segments loaded after it), and `windows_from`, the first day of the windows rebuilt in full
    ('infinity' when none: a window pattern surfacing, or reaching back, needs only its window's
    segments). -#}
{% macro occurrences_plan_bounds() -%}
    {%- set query -%}
        select
            coalesce(
                to_char(
                    min(plan.covered_through) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
                ),
                'infinity'
            ),
            coalesce(
                min(plan.window_starts_on) filter (where plan.covered_through is null)::text,
                'infinity'
            )
        from ({{ occurrences_plan() }}) as plan
    {%- endset -%}
    {%- set bounds = {'changed_since': 'infinity', 'windows_from': 'infinity'} -%}
    {%- if execute -%}
        {%- set row = run_query(query).rows[0] -%}
        {%- do bounds.update({'changed_since': row[0], 'windows_from': row[1]}) -%}
    {%- endif -%}
    {{- return({
        'changed_since': "'" ~ bounds.changed_since ~ "'::timestamptz",
        'windows_from': "'" ~ bounds.windows_from ~ "'::date",
    }) -}}
{%- endmacro %}

{#- Pre-hook: delete the rows the build replaces. The rows of patterns rebuilt in full and those
    before a covered pattern's (later) window start; then, for covered patterns, the rows of
    segments loaded after their covered_through (re-derived: the build adds them back if they
    still fail and still belong). -#}
{% macro occurrences_outdated_deleted() -%}
    {%- if is_incremental() -%}
        {%- set since = occurrences_plan_bounds().changed_since -%}
        delete from {{ this }} as occurrences
        using (
            select plan.*
            from ({{ occurrences_plan() }}) as plan
            where plan.covered_through is null or plan.window_starts_on is not null
        ) as plan
        where
            occurrences.pattern_key = plan.pattern_key
            and (
                plan.covered_through is null
                or (occurrences.evaluated_at at time zone 'UTC')::date < plan.window_starts_on
            );
        delete from {{ this }} as occurrences
        using
            {{ ref('int_segments_outcomes_derived') }} as segments,
            ({{ occurrences_plan() }}) as plan
        where
            segments.loaded_at > {{ since }}
            and occurrences.segment_id = segments.segment_id
            and occurrences.pattern_key = plan.pattern_key
            and segments.loaded_at > plan.covered_through
    {%- else -%}
        select
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: record the surfaced patterns as complete through the newest segment load (one
    refresh runs at a time and loads come before dbt, so nothing loads during the build); and
    the index on segment_id the pre-hook's deletes read through (dbt creates the indexes of its
    config only with the table: this one also reaches homes built before it). -#}
{% macro occurrences_coverage_recorded() -%}
    {%- set coverage = occurrences_coverage_relation() -%}
    insert into {{ coverage }} (pattern_key, window_starts_on, covered_through)
    select
        surfaced.pattern_key,
        surfaced.window_starts_on,
        (
            select coalesce(max(segments.loaded_at), '-infinity')
            from {{ ref('int_segments_outcomes_derived') }} as segments
        )
    from {{ ref('int_patterns_surfaced') }} as surfaced
    where surfaced.verdict = 'surfaced'
    on conflict (pattern_key) do update
        set
            window_starts_on = excluded.window_starts_on,
            covered_through = excluded.covered_through;
    create index if not exists {{ this.identifier }}_segment_id on {{ this }} (segment_id)
{%- endmacro %}
