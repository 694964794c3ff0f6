-- One row per issue worth acting on: each catalog category seen in the run errors, and each
-- unclassified signature with at least `recommendation_min_occurrences` unclassified
-- occurrences. What it is, how bad, the likely root cause, the solution and the fix time from
-- the error catalog, with the evidence: counts, dates, phase, an example, and the dimension
-- value (workflow, model, LoRA, character, scene type) its errors concentrate in, if any.
-- Only the columns used: the members below are kept for two reads, and every column of every
-- run error spilled to disk.
with run_errors as (
    select
        run_errors.run_id,
        run_errors.category,
        run_errors.match_type,
        run_errors.signature_id,
        run_errors.is_fatal,
        run_errors.is_recovery_succeeded,
        run_errors.started_at,
        run_errors.phase,
        {%- for dimension in pattern_dimensions() if dimension != 'segment_position' %}
            run_errors.{{ dimension }},
        {%- endfor %}
        run_errors.message
    from {{ ref('run_errors') }} as run_errors
),

signatures as (
    select * from {{ ref('error_signatures') }}
),

catalog as (
    select * from {{ ref('error_catalog') }}
),

-- Runs per value of each run dimension, null (no value) included (counted incrementally).
run_dimension_counts as (
    select * from {{ ref('int_run_dimensions_aggregated') }}
),

unknown_signatures as (
    select signatures.*
    from signatures
    where signatures.unclassified_count >= {{ var('recommendation_min_occurrences') }}
),

members as (
    select
        'category:' || run_errors.category as recommendation_id,
        run_errors.*
    from run_errors
    where run_errors.category != 'unknown'
    union all
    select
        'signature:' || run_errors.signature_id as recommendation_id,
        run_errors.*
    from run_errors
    inner join unknown_signatures
        on run_errors.signature_id = unknown_signatures.signature_id
    where run_errors.match_type = 'signature'
),

evidence as (
    select
        members.recommendation_id,
        min(members.category) as category,
        min(members.signature_id) filter (
            where members.recommendation_id like 'signature:%'
        ) as signature_id,
        count(*) as error_count,
        count(*) filter (where members.is_fatal) as failed_run_count,
        count(distinct members.run_id) as affected_run_count,
        count(*) filter (where members.is_recovery_succeeded) as recovered_error_count,
        count(distinct members.signature_id) as signature_count,
        min(members.started_at) as first_seen_at,
        max(members.started_at) as last_seen_at,
        mode() within group (order by members.phase) as top_phase,
        min(members.message) as example_message
    from members
    group by members.recommendation_id
),

member_dimensions as (
    select
        members.recommendation_id,
        dimension.name as dimension,
        dimension.value as dimension_value,
        count(*) as error_count
    from members
    cross join {{ run_dimension_values('members') }}
    where dimension.value is not null
    group by members.recommendation_id, dimension.name, dimension.value
),

-- A value's share of all runs: each dimension's rows, null included, count every run.
run_dimensions as (
    select
        run_dimension_counts.dimension,
        run_dimension_counts.dimension_value,
        run_dimension_counts.run_count::double precision
        / sum(run_dimension_counts.run_count) over (
            partition by run_dimension_counts.dimension
        ) as run_share
    from run_dimension_counts
),

scored_dimensions as (
    select
        member_dimensions.recommendation_id,
        member_dimensions.dimension,
        member_dimensions.dimension_value,
        member_dimensions.error_count,
        member_dimensions.error_count::double precision / evidence.error_count as error_share,
        run_dimensions.run_share,
        member_dimensions.error_count::double precision
        / evidence.error_count / run_dimensions.run_share as lift,
        {{ binomial_z_score(
            'member_dimensions.error_count', 'evidence.error_count', 'run_dimensions.run_share'
        ) }} as z_score
    from member_dimensions
    inner join evidence
        on member_dimensions.recommendation_id = evidence.recommendation_id
    inner join run_dimensions
        on
            member_dimensions.dimension = run_dimensions.dimension
            and member_dimensions.dimension_value = run_dimensions.dimension_value
    where
        member_dimensions.error_count >= {{ var('recommendation_min_evidence') }}
        and run_dimensions.run_share < 1
),

concentrations as (
    select distinct on (scored_dimensions.recommendation_id) scored_dimensions.*
    from scored_dimensions
    where scored_dimensions.z_score >= {{ var('recommendation_min_z_score') }}
    order by
        scored_dimensions.recommendation_id asc,
        scored_dimensions.z_score desc,
        scored_dimensions.error_count desc,
        scored_dimensions.dimension asc,
        scored_dimensions.dimension_value asc
),

issues as (
    select
        evidence.*,
        case
            when evidence.signature_id is null then 'category'
            else 'signature'
        end as issue_type,
        case
            when evidence.signature_id is null then catalog.description
            else 'Unclassified error: ' || left(unknown_signatures.template, 200)
        end as issue,
        catalog.severity,
        catalog.root_cause,
        case
            when evidence.signature_id is null then catalog.recommendation
            else
                catalog.recommendation
                || ' Suggested category: ' || unknown_signatures.suggested_category || '.'
        end as solution,
        unknown_signatures.candidate_pattern as suggested_pattern,
        catalog.estimated_fix_time,
        catalog.recovery_mode,
        catalog.is_retryable
    from evidence
    inner join catalog
        on evidence.category = catalog.category
    left join unknown_signatures
        on evidence.signature_id = unknown_signatures.signature_id
),

final as (
    select
        issues.recommendation_id,
        row_number() over (
            order by
                case issues.severity when 'high' then 1 when 'medium' then 2 else 3 end,
                issues.failed_run_count desc,
                issues.error_count desc,
                issues.recommendation_id asc
        ) as priority_rank,
        issues.issue_type,
        issues.issue,
        issues.category,
        issues.signature_id,
        issues.severity,
        issues.root_cause,
        issues.solution,
        issues.suggested_pattern,
        issues.estimated_fix_time,
        issues.recovery_mode,
        issues.is_retryable,
        issues.error_count,
        issues.failed_run_count,
        issues.affected_run_count,
        issues.recovered_error_count,
        issues.signature_count,
        issues.first_seen_at,
        issues.last_seen_at,
        issues.top_phase,
        issues.example_message,
        concentrations.dimension as concentration_dimension,
        concentrations.dimension_value as concentration_value,
        concentrations.error_count as concentration_error_count,
        concentrations.error_share as concentration_error_share,
        concentrations.run_share as concentration_run_share,
        concentrations.lift as concentration_lift,
        concentrations.z_score as concentration_z_score
    from issues
    left join concentrations
        on issues.recommendation_id = concentrations.recommendation_id
)

select * from final
