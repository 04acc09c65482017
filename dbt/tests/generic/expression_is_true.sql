{#- Fails on the rows (optionally filtered by `where`) for which the boolean expression is not TRUE. -#}
{% test expression_is_true(model, expression, where=none) %}
select *
from {{ model }}
where {% if where %}({{ where }}) and {% endif %}not coalesce({{ expression }}, false)
{% endtest %}
