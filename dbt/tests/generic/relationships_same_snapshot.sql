{#- Referential integrity inside one delivery: every non-empty value of the column must exist in the
    parent model's column in the same snapshot (same value of snapshot_column on both sides), e.g. a ROR
    UE must point to an EG of the same ROR extraction. Rows whose snapshot has no parent delivery at
    all are not failures of this test (a missing file is caught elsewhere). -#}
{% test relationships_same_snapshot(model, column_name, to, field, snapshot_column='snapshot_date') %}
with parent as (
    select distinct {{ snapshot_column }} as snap, {{ field }} as key from {{ to }}
)
select child.{{ snapshot_column }}, child.{{ column_name }}
from {{ model }} as child
where child.{{ column_name }} is not null
  and child.{{ snapshot_column }} in (select snap from parent)
  and not exists (
      select 1 from parent
      where parent.snap = child.{{ snapshot_column }} and parent.key = child.{{ column_name }}
  )
{% endtest %}
