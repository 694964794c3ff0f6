-- Take this database's privileges back from failmap_api, then drop the role unless another
-- database of the server still grants it something (roles are cluster-wide).
do $downgrade$
declare
    schema_name text;
begin
    if exists (select from pg_roles where rolname = 'failmap_api') then
        foreach schema_name in array array['app', 'marts'] loop
            execute 'alter default privileges in schema ' || quote_ident(schema_name)
                || ' revoke all on tables from failmap_api';
            execute 'alter default privileges in schema ' || quote_ident(schema_name)
                || ' revoke all on sequences from failmap_api';
        end loop;
        drop owned by failmap_api;
        begin
            drop role failmap_api;
        exception when dependent_objects_still_exist then
            raise notice using message = 'failmap: role failmap_api kept, another database '
                || 'still uses it';
        end;
    end if;
end
$downgrade$;
