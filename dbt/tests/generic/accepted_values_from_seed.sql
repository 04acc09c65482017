{#- Fails on every non-empty value that is not a code of a code-list seed (optionally restricted with
    seed_where, e.g. the members of a ROR value set). -#}
{% test accepted_values_from_seed(model, column_name, seed, code_column='code', seed_where=none) %}
select {{ column_name }} as unknown_code, count(*) as n_rows
from {{ model }}
where {{ column_name }} is not null
  and {{ column_name }} not in (
      select {{ code_column }} from {{ ref(seed) }}{% if seed_where %} where {{ seed_where }}{% endif %}
  )
group by {{ column_name }}
{% endtest %}
