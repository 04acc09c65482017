{#- Fails on every (reason_code, in_numerator) of an audit model that is not a row of seed ref_audit_reasons for
    that indicator: an unknown reason, or a reason whose seed row says the opposite about the numerator (the auditor
    would read a French text that contradicts the flag). -#}
{% test reason_in_ref_audit_reasons(model, indicator_id) %}
select m.reason_code, m.in_numerator, count(*) as n_rows
from {{ model }} as m
where not exists (
    select 1 from {{ ref('ref_audit_reasons') }} as r
    where r.indicator_id = '{{ indicator_id }}'
      and r.reason_code = m.reason_code
      and r.in_numerator = m.in_numerator
)
group by 1, 2
{% endtest %}
