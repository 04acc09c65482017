{#- Fails on every non-empty value that is not a valid INS/NIR (15 characters, key = 97 - n mod 97, macro
    is_valid_ins). A patient's INS is an optional identifier that the contract keeps when invalid (the
    dossier stays in the denominators, it only fails EP-INS and the INS match of EP-4.2): use
    config severity: warn there so that invalid keys are reported without blocking. -#}
{% test valid_ins(model, column_name) %}
select {{ column_name }} as invalid_ins
from {{ model }}
where {{ column_name }} is not null
  and not {{ is_valid_ins(column_name) }}
{% endtest %}
