-- Least-privilege roles. (No percent signs in this file: the driver reads them as placeholders.)
--   failmap_dashboard: the Streamlit app (and other readers). Reads marts, reads and writes app.*,
--     nothing else: it cannot read raw or staging and cannot write raw or marts. LOGIN without a
--     password: it can sign in only where the server trusts the connection (the embedded
--     server's unix socket); elsewhere set a password and FAILMAP_DASHBOARD_DATABASE_URL.
--   failmap_pipeline: ingest and dbt. Writes raw, builds staging and marts, reads app. NOLOGIN: a
--     group role for the login that runs the pipeline on a managed server (docs/deploy.md).
--
-- Roles are cluster-wide: every database of the server shares them, so they are created only
-- when missing (and a concurrent creation for another database is not an error). Privileges are
-- per database and granted here every time. A login that may not create roles (no CREATEROLE on
-- a managed server) skips the roles with a notice instead of failing the migration; the app
-- then keeps the configured login.
create schema if not exists staging;
create schema if not exists marts;

do $roles$
declare
    role_name text;
begin
    foreach role_name in array array['failmap_dashboard', 'failmap_pipeline'] loop
        if not exists (select from pg_roles where rolname = role_name) then
            begin
                execute 'create role ' || quote_ident(role_name) || ' '
                    || case when role_name = 'failmap_dashboard' then 'login' else 'nologin' end;
            exception
                when duplicate_object or unique_violation then
                    null;
                when insufficient_privilege then
                    raise notice using message = 'failmap: ' || current_user
                        || ' cannot create role ' || role_name || ', least-privilege roles skipped';
            end;
        end if;
    end loop;
end
$roles$;

do $grants$
begin
    if exists (select from pg_roles where rolname = 'failmap_dashboard') then
        execute 'grant connect on database ' || quote_ident(current_database())
            || ' to failmap_dashboard';
        grant usage on schema marts, app to failmap_dashboard;
        grant select on all tables in schema marts to failmap_dashboard;
        grant select, insert, update, delete on all tables in schema app to failmap_dashboard;
        grant usage, select on all sequences in schema app to failmap_dashboard;
        -- Marts are rebuilt by dbt under this login: new tables get the same grant.
        alter default privileges in schema marts grant select on tables to failmap_dashboard;
        alter default privileges in schema app
            grant select, insert, update, delete on tables to failmap_dashboard;
        alter default privileges in schema app
            grant usage, select on sequences to failmap_dashboard;
    end if;
    if exists (select from pg_roles where rolname = 'failmap_pipeline') then
        execute 'grant connect, temporary on database ' || quote_ident(current_database())
            || ' to failmap_pipeline';
        grant usage, create on schema raw, staging, marts to failmap_pipeline;
        grant usage on schema app to failmap_pipeline;
        grant select, insert, update, delete on all tables in schema raw to failmap_pipeline;
        grant usage, select on all sequences in schema raw to failmap_pipeline;
        grant select on all tables in schema app to failmap_pipeline;
        alter default privileges in schema raw
            grant select, insert, update, delete on tables to failmap_pipeline;
        alter default privileges in schema raw grant usage, select on sequences to failmap_pipeline;
        alter default privileges in schema app grant select on tables to failmap_pipeline;
    end if;
    -- The login that runs migrations can always act as either role (SET ROLE), which is how
    -- the dashboard falls back when the role cannot sign in by itself.
    if exists (select from pg_roles where rolname = 'failmap_dashboard')
        and not exists (
            select from pg_auth_members as members
            where members.roleid = 'failmap_dashboard'::regrole
                and members.member = current_user::regrole
        )
        and not (select rolsuper from pg_roles where rolname = current_user)
    then
        grant failmap_dashboard to current_user;
    end if;
exception
    when insufficient_privilege then
        raise notice using message = 'failmap: ' || current_user
            || ' may not grant to the least-privilege roles: ' || sqlerrm;
end
$grants$;
