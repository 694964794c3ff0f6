-- Every KPI of marts.kpis.
select
    kpis.kpi,
    kpis.description,
    kpis.value,
    kpis.unit,
    kpis.numerator,
    kpis.denominator
from marts.kpis
