{#- Creates the statistics functions PostgreSQL lacks (log-gamma, exact binomial and
    hypergeometric tails, normal CDF and quantile) in the dbt target schema. Runs as the
    project's on-run-start hook, so every `dbt build` / `run` / `test` (and Dagster's) has them
    before any model is built. `create or replace` makes it idempotent; the functions are
    immutable and parallel safe, so PostgreSQL may evaluate them in parallel workers.
    Models call them through the macros of the same name (`ln_gamma(...)`, ...), never by the
    schema-qualified name, so the schema can move without touching models. -#}
{% macro create_stats_functions() -%}
    create schema if not exists {{ stats_schema() }};
    {{ create_ln_gamma_function() }}
    {{ create_exp_or_zero_function() }}
    {{ create_binomial_sf_function() }}
    {{ create_hypergeometric_sf_function() }}
    {{ create_normal_cdf_function() }}
    {{ create_normal_quantile_function() }}
    {{ create_ln_tail_functions() }}
{%- endmacro %}

{#- The schema holding the statistics functions: dbt's target schema (`staging`). -#}
{% macro stats_schema() -%}
    {{ target.schema }}
{%- endmacro %}

{#- `dbt run-operation install_stats_functions`: create the functions without building models
    (for tests, or to use them from psql). -#}
{% macro install_stats_functions() -%}
    {% do run_query(create_stats_functions()) %}
{%- endmacro %}
