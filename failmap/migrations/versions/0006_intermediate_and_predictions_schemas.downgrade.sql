-- Take the grants back and drop both schemas with what dbt built in them (a refresh after the
-- downgrade builds them where the older code expects them).
do $downgrade$
declare
    reader text;
begin
    foreach reader in array array['failmap_dashboard', 'failmap_api'] loop
        if exists (select from pg_roles where rolname = reader) then
            execute 'alter default privileges in schema predictions revoke all on tables from '
                || quote_ident(reader);
        end if;
    end loop;
end
$downgrade$;
drop schema if exists predictions cascade;
drop schema if exists intermediate cascade;
