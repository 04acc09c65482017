-- Quality criterion of each ROR unité élémentaire open at D (guide E-parcours §3.1.3, same flags as ANS's
-- ROR BI SQL), from the ROR snapshot in force at D (latest on or before D, per ROR table).
-- A UE meets the criterion when it has all of:
--   >=1 activité opérationnelle in the JDV_J17 list; a mode de prise en charge in the J19 list;
--   age_min and age_max both set; a champ d'activité in TRE_R227;
--   an address: (libelle_voie or lieu_dit) and code_postal and localite;
--   a contact with (fonction_contact or nature_contact) and (canal and adresse_telecom).
-- A code outside its list counts as absent (landing contract). A UE is an organisation interne of type 4.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

{% set ror_tables = ['stg_ror__eg', 'stg_ror__ue', 'stg_ror__ue_activite', 'stg_ror__ue_contact'] %}
with
{% for t in ror_tables %}
{{ t }}_in_force as (
    {{ snapshot_in_force(t) }}
),
{% endfor %}

ue as (
    select f.measure_date, ue.*
    from stg_ror__ue_in_force as f
    join {{ ref('stg_ror__ue') }} as ue using (snapshot_date)
    where ue.type_oi = '4'
      and (ue.date_fermeture_definitive is null or ue.date_fermeture_definitive > f.measure_date)
),

activites as (
    select f.measure_date, a.id_ue, bool_or(a.activite_operationnelle_in_list) as has_activite
    from stg_ror__ue_activite_in_force as f
    join {{ ref('stg_ror__ue_activite') }} as a using (snapshot_date)
    group by 1, 2
),

contacts as (
    select f.measure_date, c.id_ue,
        bool_or((c.fonction_contact is not null or c.nature_contact is not null)
                and c.canal is not null and c.adresse_telecom is not null) as has_contact
    from stg_ror__ue_contact_in_force as f
    join {{ ref('stg_ror__ue_contact') }} as c using (snapshot_date)
    group by 1, 2
),

eg as (
    select f.measure_date, eg.id_eg, eg.finess_eg, eg.date_fermeture_definitive as eg_date_fermeture
    from stg_ror__eg_in_force as f
    join {{ ref('stg_ror__eg') }} as eg using (snapshot_date)
)

select
    ue.measure_date,
    eg.finess_eg,
    ue.id_eg,
    ue.id_ue,
    coalesce(a.has_activite, false) as has_activite,
    ue.mode_prise_en_charge_in_list as has_mode_prise_en_charge,
    ue.age_min is not null and ue.age_max is not null as has_age_range,
    ue.champ_activite_in_list as has_champ_activite,
    (ue.libelle_voie is not null or ue.lieu_dit is not null)
        and ue.code_postal is not null and ue.localite is not null as has_address,
    coalesce(c.has_contact, false) as has_contact,
    coalesce(a.has_activite, false) and ue.mode_prise_en_charge_in_list
        and ue.age_min is not null and ue.age_max is not null and ue.champ_activite_in_list
        and (ue.libelle_voie is not null or ue.lieu_dit is not null)
        and ue.code_postal is not null and ue.localite is not null
        and coalesce(c.has_contact, false) as meets_quality_criterion
from ue
join eg on eg.measure_date = ue.measure_date and eg.id_eg = ue.id_eg
    and (eg.eg_date_fermeture is null or eg.eg_date_fermeture > ue.measure_date)
left join activites as a on a.measure_date = ue.measure_date and a.id_ue = ue.id_ue
left join contacts as c on c.measure_date = ue.measure_date and c.id_ue = ue.id_ue
