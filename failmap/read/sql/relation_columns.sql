-- Column names of one table or view (no rows when it does not exist).
select columns.column_name
from information_schema.columns as columns
where columns.table_schema = %(schema)s and columns.table_name = %(table)s
