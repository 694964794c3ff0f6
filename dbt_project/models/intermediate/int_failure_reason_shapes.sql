{{
    config(
        materialized='incremental',
        unique_key='reason',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['reason'], 'type': 'hash'}],
        post_hook="delete from {{ this }} where shape_rule <> '{{ failure_reason_number_pattern() }}'",
    )
}}

-- Every failure reason a failed segment lists, split into its shape's words and its numbers
-- (macros/patterns/failure_reason_shape.sql): what int_pattern_reasons_ranked groups reasons
-- by. A cache: splitting is a regular expression per distinct reason, and reasons that carry
-- measurements are nearly all distinct (73k of the 646k reasons the surfaced patterns listed at
-- a year of demo data), so each reason is split once, when a segment listing it is loaded.
--
-- Incremental by segment load: a refresh reads the failed segments loaded since the newest
-- built row (through the segment model's index on loaded_at; the watermark is a literal, see
-- `built_watermark`) and writes every reason they list, new or not, stamped with the newest
-- load of its segments read, so the watermark moves with every refresh that brings a failed
-- segment. Rows are never removed for a reason no segment lists any more: the ranked model only
-- looks up the reasons it needs, and splits any it does not find itself. When the rule changed
-- (a row holds another `shape_rule`), every failed segment is read again and the post-hook
-- deletes the rows of the old rule. `--full-refresh` rebuilds everything.
-- A hash index on reason serves delete+insert's lookups (reasons can be longer than a btree
-- entry may be).
{%- set rule = failure_reason_number_pattern() %}
{%- set since = "'-infinity'::timestamptz" %}
{%- if is_incremental() %}
    {%- set read_all = false %}
    {%- if execute and this is not string %}
        {%- set stale_query -%}
            select exists (select from {{ this }} where shape_rule <> '{{ rule }}')
        {%- endset %}
        {%- set read_all = run_query(stale_query).columns[0].values()[0] %}
    {%- endif %}
    {%- if not read_all %}
        {%- set since = built_watermark('loaded_at') %}
    {%- endif %}
{%- endif %}
with segments as (
    select * from {{ ref('int_segments_outcomes_derived') }}
),

listed as (
    select
        reasons.reason,
        max(segments.loaded_at) as loaded_at
    from segments
    cross join lateral unnest(segments.failure_reasons) as reasons (reason)
    where
        segments.failed_check_count > 0
        and reasons.reason is not null
        and segments.loaded_at > {{ since }}
    group by reasons.reason
),

final as (
    select
        listed.reason,
        {{ failure_reason_words('listed.reason') }} as words,
        {{ failure_reason_numbers('listed.reason') }} as numbers,
        '{{ rule }}'::text as shape_rule,
        listed.loaded_at
    from listed
)

select * from final
