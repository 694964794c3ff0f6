-- The issues of marts.debug_recommendations seen in the period, most urgent first.
select *
from marts.debug_recommendations
where (debug_recommendations.last_seen_at at time zone 'UTC')::date >= %(start)s
order by debug_recommendations.priority_rank asc
limit %(limit)s
