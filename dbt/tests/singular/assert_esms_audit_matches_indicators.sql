-- The auditors' trail of the five ESMS Numérique indicators (models/audit/audit_esms_*) counts exactly the numerators
-- and denominators published by the indicator models, and the CNSA figures (esms_cnsa_figures) repeat them: one
-- failing row per indicator x ESMS x measure date that disagrees. ESMS-DUI-ACTIFS's denominator is the declared mean
-- file active, not a list: it is recomputed from its in_denominator rows (unit_id `<année>:<file active>`) as
-- int_esms_personnes_accompagnees computes it, the mean rounded half up (2 * sum + n) // (2 * n), 0 without a year.
with indicators as (
    {% set models = ['ind_esms_dui_actifs', 'ind_esms_dui_pp', 'ind_esms_dui_agenda', 'ind_esms_mss', 'ind_esms_dmp'] %}
    {% for m in models %}
    select indicator_id, measure_date, scope_id as finess_geo, numerator, denominator from {{ ref(m) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

audit_rows as (
    {% set audits = ['audit_esms_dui_actifs', 'audit_esms_dui_pp', 'audit_esms_dui_agenda', 'audit_esms_mss',
                     'audit_esms_dmp'] %}
    {% for m in audits %}
    select indicator_id, measure_date, scope_id as finess_geo, unit, unit_id, in_numerator, in_denominator
    from {{ ref(m) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

audit as (
    select
        indicator_id, measure_date, finess_geo,
        count(*) filter (where in_numerator) as n_numerator,
        case
            when indicator_id <> 'ESMS-DUI-ACTIFS' then count(*) filter (where in_denominator)
            when count(*) filter (where in_denominator) = 0 then 0
            else (2 * sum(case when in_denominator and unit = 'file_active'
                               then cast(split_part(unit_id, ':', 2) as bigint) end)
                  + count(*) filter (where in_denominator)) // (2 * count(*) filter (where in_denominator))
        end as n_denominator
    from audit_rows
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
   or i.denominator <> coalesce(a.n_denominator, 0)
   or f.numerator is null or i.numerator <> f.numerator or i.denominator <> f.denominator
