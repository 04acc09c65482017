-- publish.indicator_targets: every target tier of the seed (all documents, all dates), with the comparison and
-- the subgroup in French.
select
    t.*,
    {{ label_of('comparison', 't.comparison') }} as comparison_label,
    case when t.subgroup is not null then {{ label_of('subgroup', 't.subgroup') }} end as subgroup_label
from {{ ref('ref_indicator_targets') }} as t
