{#-
    How many standard deviations `successes` out of `trials` lies above what a share `expected`
    predicts: (k - n p) / sqrt(n p (1 - p)), the normal approximation of a binomial count.
    Null when p is 0 or 1 or there are no trials. Used to name where an issue's errors
    concentrate: it prefers a value that is clearly over-represented in many errors to one that
    is far above its share in a handful.
-#}
{% macro binomial_z_score(successes, trials, expected) %}
    (
        ({{ successes }})::double precision - ({{ trials }}) * ({{ expected }})
    ) / nullif(sqrt(({{ trials }}) * ({{ expected }}) * (1 - ({{ expected }}))), 0)
{% endmacro %}
