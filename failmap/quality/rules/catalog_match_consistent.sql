-- Errors whose match type contradicts their classification: a catalog match has a known
-- category; a signature match is of category `unknown` and has a signature.
with batch as (
    select * from {batch}
)

select
    batch.run_id,
    batch.phase,
    batch.category,
    batch.match_type,
    batch.signature_id
from batch
where
    (batch.match_type = 'catalog' and batch.category = 'unknown')
    or (batch.match_type = 'signature' and (batch.category <> 'unknown' or batch.signature_id is null))
order by batch.run_id
