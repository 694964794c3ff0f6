-- Two schemas dbt builds into (no percent signs in this file: the driver reads them as
-- placeholders):
--   intermediate: the int_* models between staging and the marts. Only the pipeline reads them.
--   predictions: the configuration check's predictor tables (prediction_parameters,
--     background_rates, configuration_rates). The dashboard and the API read them through
--     failmap.read (`failmap check`, POST /check); they are not marts people browse.
-- Before this migration both lived elsewhere (int_* in staging, the predictor tables in marts);
-- the copies left there are dropped so nobody reads a table the pipeline no longer refreshes.
-- The next refresh builds them in their new schemas (from raw: nothing is lost).
create schema if not exists intermediate;
create schema if not exists predictions;

do $stale$
declare
    relation record;
begin
    for relation in
        select namespace.nspname as schema_name, class.relname as relation_name, class.relkind
        from pg_class as class
        inner join pg_namespace as namespace on class.relnamespace = namespace.oid
        where class.relkind in ('r', 'v', 'm')
            and (
                (namespace.nspname = 'staging' and left(class.relname, 4) = 'int_')
                or (
                    namespace.nspname = 'marts'
                    and class.relname in (
                        'prediction_parameters', 'background_rates', 'configuration_rates'
                    )
                )
            )
    loop
        execute 'drop ' || case relation.relkind
            when 'v' then 'view'
            when 'm' then 'materialized view'
            else 'table'
        end || ' if exists ' || quote_ident(relation.schema_name) || '.'
            || quote_ident(relation.relation_name) || ' cascade';
    end loop;
end
$stale$;

do $grants$
declare
    reader text;
begin
    foreach reader in array array['failmap_dashboard', 'failmap_api'] loop
        if exists (select from pg_roles where rolname = reader) then
            execute 'grant usage on schema predictions to ' || quote_ident(reader);
            execute 'grant select on all tables in schema predictions to ' || quote_ident(reader);
            -- Rebuilt by dbt under the login that ran this: new tables get the same grant.
            execute 'alter default privileges in schema predictions grant select on tables to '
                || quote_ident(reader);
        end if;
    end loop;
    if exists (select from pg_roles where rolname = 'failmap_pipeline') then
        grant usage, create on schema intermediate, predictions to failmap_pipeline;
    end if;
exception
    when insufficient_privilege then
        raise notice using message = 'failmap: ' || current_user
            || ' may not grant on the intermediate and predictions schemas: ' || sqlerrm;
end
$grants$;
