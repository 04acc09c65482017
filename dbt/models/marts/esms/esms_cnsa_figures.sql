{{ indicator_config() }}
-- The absolute numbers of the CNSA usage-data workbook (doc 003 Q63, sheet « Liste des mesures d'usage »), one row
-- per ESMS in force x measure date. The counts are read from the five indicator models (never recomputed), so the
-- workbook and indicator_results always agree:
--   E nb_dmp_alimentes           ESMS-DMP numerator            F nb_messages_mss     ESMS-MSS numerator
--   G nb_dui_actifs              ESMS-DUI-ACTIFS numerator     H nb_personnes_accompagnees  ESMS-DUI-ACTIFS
--                                                              denominator, NULL when no year of file active is usable
--   I nb_dui_avec_pp             ESMS-DUI-PP numerator         J nb_dui_avec_agenda  ESMS-DUI-AGENDA numerator
--   K/L periode_debut/periode_fin the period of the DUI indicators (the quarter ending at D). The MSS/DMP window
--                                (window_months, fenetre_mss_dmp_debut/fin) equals it by default (3 months)
-- A, B, C, D: galis_ref, siret_porteur, finess_geo, raison_sociale of the esms_projets snapshot in force at D.
with dates as (
    select * from {{ ref('int_esms_measure_windows') }}
),

esms as (
    select * from {{ ref('int_esms_in_force_at_measure_date') }}
    where measure_date in (select measure_date from dates)
),

indicators as (
    {% set models = ['ind_esms_dui_actifs', 'ind_esms_dui_pp', 'ind_esms_dui_agenda', 'ind_esms_mss', 'ind_esms_dmp'] %}
    {% for m in models %}
    select indicator_id, measure_date, scope_id as finess_geo, numerator, denominator
    from {{ ref(m) }}
    where scope_type = 'esms' and measure_date in (select measure_date from dates)
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

pivoted as (
    select
        measure_date,
        finess_geo,
        max(numerator) filter (where indicator_id = 'ESMS-DMP') as nb_dmp_alimentes,
        max(numerator) filter (where indicator_id = 'ESMS-MSS') as nb_messages_mss,
        max(numerator) filter (where indicator_id = 'ESMS-DUI-ACTIFS') as nb_dui_actifs,
        max(denominator) filter (where indicator_id = 'ESMS-DUI-ACTIFS') as personnes_accompagnees_indicateur,
        max(numerator) filter (where indicator_id = 'ESMS-DUI-PP') as nb_dui_avec_pp,
        max(numerator) filter (where indicator_id = 'ESMS-DUI-AGENDA') as nb_dui_avec_agenda
    from indicators
    group by 1, 2
)

select
    e.measure_date,
    e.galis_ref,
    e.siret_porteur,
    e.finess_geo,
    e.raison_sociale,
    e.signataire_nom,
    e.signataire_qualite,
    coalesce(i.nb_dmp_alimentes, 0) as nb_dmp_alimentes,
    coalesce(i.nb_messages_mss, 0) as nb_messages_mss,
    coalesce(i.nb_dui_actifs, 0) as nb_dui_actifs,
    case when coalesce(p.nb_annees_file_active, 0) > 0 then i.personnes_accompagnees_indicateur end
        as nb_personnes_accompagnees,
    coalesce(i.nb_dui_avec_pp, 0) as nb_dui_avec_pp,
    coalesce(i.nb_dui_avec_agenda, 0) as nb_dui_avec_agenda,
    d.period_start as periode_debut,
    d.period_end as periode_fin,
    d.window_months,
    coalesce(p.file_active_incomplete, true) as file_active_incomplete,
    d.window_start as fenetre_mss_dmp_debut,
    d.window_end as fenetre_mss_dmp_fin,
    coalesce(p.atypique, false) as file_active_atypique,
    coalesce(p.nb_annees_file_active, 0) as nb_annees_file_active,
    p.annees_file_active,
    p.file_active_moyenne,
    e.snapshot_date as esms_projets_snapshot_date,
    p.file_active_snapshot_date
from esms as e
join dates as d using (measure_date)
left join pivoted as i using (measure_date, finess_geo)
left join {{ ref('int_esms_personnes_accompagnees') }} as p using (measure_date, finess_geo)
