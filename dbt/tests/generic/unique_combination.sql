{#- Fails on every combination of the given columns that occurs more than once (e.g. the business key
    of a table together with its _delivery_key, when the table keeps every delivery). -#}
{% test unique_combination(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
