{#- Fails on every non-empty value that is not a valid FINESS number (format + Luhn check digit, macro
    is_valid_finess). Use as error on required FINESS (the ingestion rejects them: a failure means the
    ingestion and dbt disagree on the rule) and with config severity: warn on optional FINESS that the
    contract flags but keeps. The standard config `where` restricts the rows. -#}
{% test valid_finess(model, column_name) %}
select {{ column_name }} as invalid_finess
from {{ model }}
where {{ column_name }} is not null
  and not {{ is_valid_finess(column_name) }}
{% endtest %}
