{#- Fails on rows where the column is NULL although the condition holds (a conditional "required"). -#}
{% test not_null_where(model, column_name, condition) %}
select *
from {{ model }}
where ({{ condition }})
  and {{ column_name }} is null
{% endtest %}
