-- Take this database's privileges back from the roles, then drop the roles unless another
-- database of the server still grants them something (roles are cluster-wide).
-- (No percent signs in this file: the driver reads them as placeholders.)
do $downgrade$
declare
    role_name text;
    schema_name text;
begin
    foreach role_name in array array['failmap_dashboard', 'failmap_pipeline'] loop
        if exists (select from pg_roles where rolname = role_name) then
            foreach schema_name in array array['raw', 'app', 'marts'] loop
                execute 'alter default privileges in schema ' || quote_ident(schema_name)
                    || ' revoke all on tables from ' || quote_ident(role_name);
                execute 'alter default privileges in schema ' || quote_ident(schema_name)
                    || ' revoke all on sequences from ' || quote_ident(role_name);
            end loop;
            execute 'drop owned by ' || quote_ident(role_name);
            begin
                execute 'drop role ' || quote_ident(role_name);
            exception when dependent_objects_still_exist then
                raise notice using message = 'failmap: role ' || role_name
                    || ' kept, another database still uses it';
            end;
        end if;
    end loop;
end
$downgrade$;
