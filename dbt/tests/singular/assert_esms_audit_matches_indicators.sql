-- The auditors' lists (esms_audit_dossiers) count exactly the numerators and denominators published by the five
-- ESMS Numérique indicator models, and the CNSA figures (esms_cnsa_figures) repeat them: one failing row per
-- indicator x ESMS x measure date that disagrees. ESMS-DUI-ACTIFS's denominator (the declared file active) is not a
-- list and is compared with the figures only.
with indicators as (
    {% set models = ['ind_esms_dui_actifs', 'ind_esms_dui_pp', 'ind_esms_dui_agenda', 'ind_esms_mss', 'ind_esms_dmp'] %}
    {% for m in models %}
    select indicator_id, measure_date, scope_id as finess_geo, numerator, denominator from {{ ref(m) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

audit as (
    select indicator_id, measure_date, finess_geo,
           count(*) filter (where in_numerator) as n_numerator,
           count(*) filter (where in_denominator) as n_denominator
    from {{ ref('esms_audit_dossiers') }}
    group by 1, 2, 3
),

figures as (
    select measure_date, finess_geo, unnest([
        {'indicator_id': 'ESMS-DMP', 'numerator': nb_dmp_alimentes, 'denominator': nb_dui_avec_pp},
        {'indicator_id': 'ESMS-MSS', 'numerator': nb_messages_mss, 'denominator': nb_dui_avec_pp},
        {'indicator_id': 'ESMS-DUI-ACTIFS', 'numerator': nb_dui_actifs, 'denominator': coalesce(nb_personnes_accompagnees, 0)},
        {'indicator_id': 'ESMS-DUI-PP', 'numerator': nb_dui_avec_pp, 'denominator': nb_dui_actifs},
        {'indicator_id': 'ESMS-DUI-AGENDA', 'numerator': nb_dui_avec_agenda, 'denominator': nb_dui_actifs}
    ], recursive := true)
    from {{ ref('esms_cnsa_figures') }}
)

select i.*, a.n_numerator, a.n_denominator, f.numerator as figures_numerator, f.denominator as figures_denominator
from indicators as i
left join audit as a using (indicator_id, measure_date, finess_geo)
left join figures as f using (indicator_id, measure_date, finess_geo)
where i.numerator <> coalesce(a.n_numerator, 0)
   or (i.indicator_id <> 'ESMS-DUI-ACTIFS' and i.denominator <> coalesce(a.n_denominator, 0))
   or f.numerator is null or i.numerator <> f.numerator or i.denominator <> f.denominator
