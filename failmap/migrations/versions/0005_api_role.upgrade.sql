-- The HTTP API's own role. (No percent signs in this file: the driver reads them as
-- placeholders.)
--   failmap_api: reads marts, reads and writes app.* (fixes, notes, the alert log, warning
--     acknowledgements), nothing else: it cannot read raw or staging and cannot write raw or
--     marts. The API signs in with the configured login switched to this role
--     (options=-c role=failmap_api), or with FAILMAP_API_DATABASE_URL (a login in this role).
--     LOGIN without a password, like failmap_dashboard: give it one to sign in by itself.
-- Created only when missing (roles are cluster-wide); a login without CREATEROLE skips it with a
-- notice, and the API then answers 503 naming the missing role (it never uses the owner login).
do $roles$
begin
    if not exists (select from pg_roles where rolname = 'failmap_api') then
        begin
            create role failmap_api login;
        exception
            when duplicate_object or unique_violation then
                null;
            when insufficient_privilege then
                raise notice using message = 'failmap: ' || current_user
                    || ' cannot create role failmap_api, the API role is skipped';
        end;
    end if;
end
$roles$;

do $grants$
begin
    if exists (select from pg_roles where rolname = 'failmap_api') then
        execute 'grant connect on database ' || quote_ident(current_database())
            || ' to failmap_api';
        grant usage on schema marts, app to failmap_api;
        grant select on all tables in schema marts to failmap_api;
        grant select, insert, update, delete on all tables in schema app to failmap_api;
        grant usage, select on all sequences in schema app to failmap_api;
        alter default privileges in schema marts grant select on tables to failmap_api;
        alter default privileges in schema app
            grant select, insert, update, delete on tables to failmap_api;
        alter default privileges in schema app grant usage, select on sequences to failmap_api;
        -- The file verdicts are the pipeline's: the API may only acknowledge them.
        revoke insert, delete, truncate on app.file_judgements from failmap_api;
        if not exists (
            select from pg_auth_members as members
            where members.roleid = 'failmap_api'::regrole
                and members.member = current_user::regrole
        )
            and not (select rolsuper from pg_roles where rolname = current_user)
        then
            grant failmap_api to current_user;
        end if;
    end if;
exception
    when insufficient_privilege then
        raise notice using message = 'failmap: ' || current_user
            || ' may not grant to failmap_api: ' || sqlerrm;
end
$grants$;
