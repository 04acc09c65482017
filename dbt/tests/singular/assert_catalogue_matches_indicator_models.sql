-- The catalogue drives the indicators: every computed or declarative row of ref_indicator_catalogue names a model
-- that marts.indicator_results unions, and every model it unions has a catalogue row. A failure names the model
-- (or the indicator) on one side only: add the catalogue row, or the model to the union (docs/adding_an_indicator.md).
{% set parents = model_parents('indicator_results', 'ind_') %}

with unioned as (
    {% for p in parents %}
    select '{{ p }}' as model {% if not loop.last %}union all{% endif %}
    {% endfor %}
    {% if not parents %}select cast(null as varchar) as model where false{% endif %}
),

catalogued as (
    select distinct model from {{ ref('ref_indicator_catalogue') }}
    where computation in ('computed', 'declarative') and model is not null
)

select coalesce(c.model, u.model) as model,
       case when u.model is null then 'in the catalogue, not in indicator_results'
            else 'in indicator_results, not in the catalogue' end as problem
from catalogued as c
full outer join unioned as u using (model)
where c.model is null or u.model is null
