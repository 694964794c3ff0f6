{#- The CTEs that compare each version change within strata of what ran with it
    (change_events; docs/trends.md, "Within what ran with it"), named `<name>_arrivals`,
    `<name>_classes`, `<name>_strata` and `<name>_compared`. A stratum is the other kind's value
    and version class (a workflow change's segments by model and model class, a model change's by
    workflow and workflow class) and the scene type. A version's class is itself when it was there first or when the change it
    arrived with is flagged in `flags` (a relation of change_key, is_flagged), else the class of
    the version it replaced: versions that change daily without effect are one class, a flagged
    change starts another, a rollback returns to the old version's class.
    A macro because change_events draws the classes twice: from the plain tests, then from the
    tests within those strata. It reads the CTEs `changes`, `versions` (dimension,
    dimension_value, version) and `change_days` of change_events; the query must be
    `with recursive`. -#}
{% macro version_strata(name, flags) -%}
-- How each version arrived first: from which version, and whether that change was flagged.
{{ name }}_arrivals as (
    select distinct on (changes.dimension, changes.dimension_value, changes.to_version)
        changes.dimension,
        changes.dimension_value,
        changes.to_version as version,
        changes.from_version,
        flags.is_flagged
    from changes
    inner join {{ flags }} as flags
        on changes.change_key = flags.change_key
    order by
        changes.dimension asc,
        changes.dimension_value asc,
        changes.to_version asc,
        changes.changed_on asc
),

{{ name }}_classes as (
    select
        versions.dimension,
        versions.dimension_value,
        versions.version,
        versions.version as class_version
    from versions
    left join {{ name }}_arrivals as arrivals
        on
            versions.dimension = arrivals.dimension
            and versions.dimension_value = arrivals.dimension_value
            and versions.version = arrivals.version
    where arrivals.version is null or arrivals.is_flagged
    union all
    select
        arrivals.dimension,
        arrivals.dimension_value,
        arrivals.version,
        classes.class_version
    from {{ name }}_classes as classes
    inner join {{ name }}_arrivals as arrivals
        on
            classes.dimension = arrivals.dimension
            and classes.dimension_value = arrivals.dimension_value
            and classes.version = arrivals.from_version
    where not arrivals.is_flagged
),

-- Each change's segments by stratum: the other kind's value and version class, and the scene
-- type (segments without the other kind's version are a class of their own).
{{ name }}_strata as (
    select
        change_days.change_key,
        change_days.other_value,
        coalesce(classes.class_version, change_days.other_version) as other_class,
        change_days.scene_type,
        {{ filtered_sum('change_days.total_count', 'not change_days.is_after') }}
            as before_total_count,
        {{ filtered_sum('change_days.failure_count', 'not change_days.is_after') }}
            as before_failure_count,
        {{ filtered_sum('change_days.total_count', 'change_days.is_after') }}
            as after_total_count,
        {{ filtered_sum('change_days.failure_count', 'change_days.is_after') }}
            as after_failure_count
    from change_days
    left join {{ name }}_classes as classes
        on
            change_days.other_dimension = classes.dimension
            and change_days.other_value = classes.dimension_value
            and change_days.other_version = classes.version
    group by
        change_days.change_key,
        change_days.other_value,
        coalesce(classes.class_version, change_days.other_version),
        change_days.scene_type
),

-- The strata with segments on both sides, summed for the Mantel-Haenszel statistics: the new
-- version's failures minus those expected if both versions failed alike within each stratum,
-- with their variance (the Cochran-Mantel-Haenszel test), and the terms of the Mantel-Haenszel
-- rate ratio and of its Greenland-Robins variance.
{{ name }}_compared as (
    select
        strata.change_key,
        count(*) as stratum_count,
        sum(strata.before_total_count) as before_total_count,
        sum(strata.before_failure_count) as before_failure_count,
        sum(strata.after_total_count) as after_total_count,
        sum(strata.after_failure_count) as after_failure_count,
        sum(
            strata.after_failure_count
            - strata.after_total_count * stratum.failure_count / stratum.total_count
        ) as excess_failure_count,
        sum(
            strata.after_total_count * strata.before_total_count * stratum.failure_count
            * (stratum.total_count - stratum.failure_count)
            / (stratum.total_count ^ 2 * greatest(stratum.total_count - 1, 1))
        ) as excess_variance,
        sum(strata.after_failure_count * strata.before_total_count / stratum.total_count)
            as ratio_numerator,
        sum(strata.before_failure_count * strata.after_total_count / stratum.total_count)
            as ratio_denominator,
        sum(
            (
                strata.after_total_count * strata.before_total_count * stratum.failure_count
                - strata.after_failure_count * strata.before_failure_count * stratum.total_count
            ) / stratum.total_count ^ 2
        ) as ratio_variance_numerator,
        -- The same terms for the pass rates (the equivalence test holds both ratios).
        sum(passes.after_pass_count * strata.before_total_count / stratum.total_count)
            as pass_ratio_numerator,
        sum(passes.before_pass_count * strata.after_total_count / stratum.total_count)
            as pass_ratio_denominator,
        sum(
            (
                strata.after_total_count * strata.before_total_count
                * (stratum.total_count - stratum.failure_count)
                - passes.after_pass_count * passes.before_pass_count * stratum.total_count
            ) / stratum.total_count ^ 2
        ) as pass_ratio_variance_numerator,
        -- The difference of the rates (new minus old), weighted as the Mantel-Haenszel one
        -- (n_new n_old / n), with each rate's standard error taken from its Wilson interval
        -- (z / (n + z²) sqrt(x (n - x) / n + z² / 4) over z): a side without failures still has
        -- a width, so 0 of 10 against 0 of 10 is not a certainty.
        sum(passes.weight) as difference_weight,
        sum(
            passes.weight * (
                strata.after_failure_count::double precision / strata.after_total_count
                - strata.before_failure_count::double precision / strata.before_total_count
            )
        ) as weighted_difference,
        sum(
            passes.weight ^ 2 * (
                {{ _wilson_variance('strata.after_failure_count', 'strata.after_total_count') }}
                + {{ _wilson_variance('strata.before_failure_count', 'strata.before_total_count') }}
            )
        ) as difference_variance_numerator
    from {{ name }}_strata as strata
    cross join
        lateral (
            select
                (strata.before_total_count + strata.after_total_count)::double precision
                    as total_count,
                (strata.before_failure_count + strata.after_failure_count)::double precision
                    as failure_count
        ) as stratum
    cross join
        lateral (
            select
                strata.before_total_count - strata.before_failure_count as before_pass_count,
                strata.after_total_count - strata.after_failure_count as after_pass_count,
                strata.after_total_count * strata.before_total_count::double precision
                / (strata.before_total_count + strata.after_total_count) as weight
        ) as passes
    where strata.before_total_count > 0 and strata.after_total_count > 0
    group by strata.change_key
)
{%- endmacro %}

{#- The square of a failure rate's Wilson half-width over z, at the change's interval z. -#}
{% macro _wilson_variance(failures, total) -%}
    {%- set z = normal_quantile('1 - ' ~ var('change_alpha')) -%}
    (
        ({{ failures }})::double precision * (({{ total }}) - ({{ failures }})) / ({{ total }})
        + ({{ z }}) ^ 2 / 4
    ) / (({{ total }})::double precision + ({{ z }}) ^ 2) ^ 2
{%- endmacro %}

{#- The rate difference of a `<name>_compared` row (new minus old, pooled over the strata) and
    the bounds of its interval at normal quantile `z`. -#}
{% macro stratified_difference(compared) -%}
    ({{ compared }}.weighted_difference / nullif({{ compared }}.difference_weight, 0))
{%- endmacro %}

{% macro stratified_difference_bound(compared, z, sign) -%}
    (
        ({{ compared }}.weighted_difference {{ sign }} ({{ z }})
        * sqrt({{ compared }}.difference_variance_numerator))
        / nullif({{ compared }}.difference_weight, 0)
    )
{%- endmacro %}

{#- Two-sided p-value that a change's two versions fail alike within its strata, from a
    `<name>_compared` row: Fisher's exact test on the one stratum's counts (twice the smaller
    one-sided tail), or the continuity-corrected Cochran-Mantel-Haenszel test over several.
    Null when no stratum holds both versions. -#}
{% macro stratified_p_value(compared) -%}
    case
        when {{ compared }}.stratum_count = 1
            then {{ rate_change_p_value(
                compared ~ '.after_failure_count', compared ~ '.after_total_count',
                compared ~ '.before_failure_count', compared ~ '.before_total_count',
            ) }}
        when {{ compared }}.stratum_count > 1
            then coalesce(least(
                1.0::double precision,
                2 * {{ exp_or_zero(ln_normal_sf(
                    'greatest((abs(' ~ compared ~ '.excess_failure_count) - 0.5) / nullif(sqrt('
                    ~ compared ~ '.excess_variance), 0), 0.0)'
                )) }}
            ), 1.0::double precision)
    end
{%- endmacro %}

{#- The Mantel-Haenszel rate ratio of a `<name>_compared` row (the new version's failure rate
    over the old one's, pooled over the strata) and the bounds of its interval at normal quantile
    `z` from the Greenland-Robins variance of its log (Greenland & Robins 1985), which with one
    stratum is the Katz log interval. The lower bound is 0 when the new version has no failures;
    the upper bound is null (unbounded) when the old one has none or the new one has none (the
    log interval has no upper end there). `terms='pass_ratio'`: the same for the pass rates.
    Tested against scipy in tests/dbt/test_trends_stats.py. -#}
{% macro mantel_haenszel_ratio(compared, terms='ratio') -%}
    ({{ compared }}.{{ terms }}_numerator / nullif({{ compared }}.{{ terms }}_denominator, 0))
{%- endmacro %}

{% macro mantel_haenszel_ratio_lower(compared, z, terms='ratio') -%}
    case
        when {{ compared }}.{{ terms }}_numerator = 0 then 0.0::double precision
        else {{ _mantel_haenszel_ratio_bound(compared, z, '-', terms) }}
    end
{%- endmacro %}

{% macro mantel_haenszel_ratio_upper(compared, z, terms='ratio') -%}
    {{ _mantel_haenszel_ratio_bound(compared, z, '+', terms) }}
{%- endmacro %}

{% macro _mantel_haenszel_ratio_bound(compared, z, sign, terms) -%}
    {%- set numerator = compared ~ '.' ~ terms ~ '_numerator' -%}
    {%- set denominator = compared ~ '.' ~ terms ~ '_denominator' -%}
    case
        when {{ numerator }} > 0 and {{ denominator }} > 0
            then exp(
                ln({{ numerator }} / {{ denominator }})
                {{ sign }} ({{ z }}) * sqrt(greatest(
                    {{ compared }}.{{ terms }}_variance_numerator
                    / ({{ numerator }} * {{ denominator }}),
                    0.0::double precision
                ))
            )
    end
{%- endmacro %}
