-- The relations (schema.table) of %(names)s that do not exist, in the order given.
select wanted.name
from unnest(%(names)s::text[]) with ordinality as wanted (name, position)
where to_regclass(wanted.name) is null
order by wanted.position
