-- The prediction hierarchy's parameters per scope (predictions.prediction_parameters): `overall`,
-- `configuration`, and one row per dimension set (`lora|character`, ...).
select
    prediction_parameters.scope,
    prediction_parameters.total_count,
    prediction_parameters.failure_count,
    prediction_parameters.background_total_count,
    prediction_parameters.background_failure_count,
    prediction_parameters.prior_strength
from predictions.prediction_parameters
