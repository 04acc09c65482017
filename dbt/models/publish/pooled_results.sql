-- publish.pooled_results: the indicators published per structure only (ESMS Numérique: no region row) summed
-- over the structures, Σ numerators / Σ denominators (the rule of the E-parcours region rows, macro
-- indicator_rows, never an average of rates), per indicator, scope type, reference document and measure date:
-- for the whole region (grouping 'region') and per FINESS category of the structures (grouping 'categorie').
-- With the number of structures, of those meeting their own target and of those judged, the tier in force (the
-- same for every structure of the group: same indicator, document and date) and the French texts.
with structure_rows as (
    select r.*, coalesce(s.libcategetab, s.categetab, 'Catégorie non renseignée') as categorie
    from {{ ref('publish_indicator_results') }} as r
    left join {{ ref('structures') }} as s on s.finess = r.scope_id and s.scope_type = r.scope_type
    where r.scope_type <> 'region' and r.subgroup is null and r.unit = '%'
      and r.indicator_id not in (
          select distinct indicator_id from {{ ref('publish_indicator_results') }} where scope_type = 'region')
),

grouped as (
    select
        'region' as grouping, null as categorie, indicator_id, scope_type, reference_document, measure_date,
        count(*) as n_structures, coalesce(sum(numerator), 0) as numerator, coalesce(sum(denominator), 0) as denominator,
        count(*) filter (where target_met) as n_met, count(target_met) as n_judged,
        count(*) filter (where status = 'no_data') as n_no_data, count(*) filter (where status = 'provisional') as n_provisional,
        any_value(target) as target, any_value(comparison) as comparison, any_value(target_applies_from) as target_applies_from,
        any_value(target_source) as target_source, any_value(label) as label, any_value(programme) as programme,
        any_value(unit) as unit
    from structure_rows
    group by all
    union all
    select
        'categorie', categorie, indicator_id, scope_type, reference_document, measure_date,
        count(*), coalesce(sum(numerator), 0), coalesce(sum(denominator), 0),
        count(*) filter (where target_met), count(target_met),
        count(*) filter (where status = 'no_data'), count(*) filter (where status = 'provisional'),
        any_value(target), any_value(comparison), any_value(target_applies_from), any_value(target_source),
        any_value(label), any_value(programme), any_value(unit)
    from structure_rows
    group by all
)

select
    grouping,
    categorie,
    indicator_id,
    label,
    programme,
    scope_type,
    reference_document,
    measure_date,
    n_structures,
    numerator,
    denominator,
    case when denominator > 0 then round(100.0 * numerator / denominator, 2) end as value,
    target,
    comparison,
    target_applies_from,
    target_source,
    n_met,
    n_judged,
    case when denominator = 0 or n_no_data = n_structures then 'no_data'
         when n_provisional > 0 then 'provisional' else 'final' end as status,
    {{ quarter_label('measure_date') }} as quarter_label,
    case when denominator > 0 then {{ fr_percent('numerator', 'denominator') }} end as value_text,
    {{ fr_number('numerator') }} || ' / ' || {{ fr_number('denominator') }} as ratio_text,
    case when target is null then {{ label_of('attainment', "'no_target'") }}
         else {{ label_of('comparison', "coalesce(comparison, 'gte')") }} || ' '
              || {{ fr_with_unit(fr_trim('target'), 'target', 'unit') }} end as target_text,
    {{ label_of('status', "case when denominator = 0 or n_no_data = n_structures then 'no_data'
                                when n_provisional > 0 then 'provisional' else 'final' end") }} as status_label,
    case when n_judged > 0 then {{ fr_number('n_met') }} || ' ' || {{ label_of('scope_type', 'scope_type') }} || ' sur '
                                || {{ fr_number('n_judged') }} end as attainment_label
from grouped
