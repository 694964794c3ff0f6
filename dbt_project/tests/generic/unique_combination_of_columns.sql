{#- Fails on every combination of `columns` that occurs more than once: the key of a model
    whose grain is several columns (a window and a cell, a pattern and a day). -#}
{% test unique_combination_of_columns(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
