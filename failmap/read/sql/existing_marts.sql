-- Names of the tables and views in the marts schema.
select tables.table_name
from information_schema.tables as tables
where tables.table_schema = 'marts'
