{#- Fails on every row whose numerator is greater than its denominator: a share above 100 % means the
    numerator counts something the denominator does not (a dossier, member or EG outside the population).
    Rows where either side is NULL are not failures (EP-5.2 has no denominator; declaratives have neither).
    The standard config `where` restricts the rows (e.g. to leave out indicators that may exceed 100 %). -#}
{% test numerator_not_above_denominator(model, numerator='numerator', denominator='denominator') %}
select *
from {{ model }}
where {{ numerator }} is not null
  and {{ denominator }} is not null
  and {{ numerator }} > {{ denominator }}
{% endtest %}
