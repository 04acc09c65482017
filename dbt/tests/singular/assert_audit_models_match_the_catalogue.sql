-- Every computed indicator of the catalogue has its audit model in audit_membership (named after its indicator
-- model: audit_ + the model's name without ind_), and audit_membership reads no other model: an indicator without a
-- trail could not be checked by an auditor. A failure names the model missing on one side.
{% set parents = model_parents('audit_membership', 'audit_') %}

with unioned as (
    {% for p in parents %}
    select '{{ p }}' as model {% if not loop.last %}union all{% endif %}
    {% endfor %}
    {% if not parents %}select cast(null as varchar) as model where false{% endif %}
),

expected as (
    select distinct 'audit_' || substr(model, 5) as model from {{ ref('ref_indicator_catalogue') }}
    where computation = 'computed' and model like 'ind\_%' escape '\'
)

select coalesce(e.model, u.model) as model,
       case when u.model is null then 'no audit model for a computed indicator of the catalogue'
            else 'in audit_membership, not an indicator of the catalogue' end as problem
from expected as e
full outer join unioned as u using (model)
where e.model is null or u.model is null
