-- The functions (schema.name(argument types)) of %(signatures)s that do not exist.
select wanted.signature
from unnest(%(signatures)s::text[]) with ordinality as wanted (signature, position)
where to_regprocedure(wanted.signature) is null
order by wanted.position
