{{ indicator_config() }}
-- Support of the auditors' sample (« preuves d'usage » controlled by the CNSA or any « corps de contrôle
-- habilité », doc 003 Q64): per measure date, ESMS in force and indicator, every identifier counted in the
-- numerator and/or the denominator of the five ESMS Numérique indicators, so that a sample of dossiers can be
-- drawn and checked in the DUI. One row per indicator x measure date x ESMS x (id_type, dossier_id):
--   ESMS-DUI-ACTIFS  the DUI actifs (dossier_id), in_numerator; the denominator is the declared file active
--                    (a number, not a list): no row is in_denominator
--   ESMS-DUI-PP      the DUI actifs (in_denominator), in_numerator when they have a valid projet personnalisé
--   ESMS-DUI-AGENDA  the DUI actifs (in_denominator), in_numerator when they have a qualifying agenda entry
--   ESMS-MSS         numerator: the messages (id_type message_id); denominator: the DUI actifs with PP (dossier_id)
--   ESMS-DMP         numerator: the patients (id_type ins, the INS of the DMP); denominator: the DUI actifs with PP
-- The counts of this mart equal the indicator numerators and denominators (singular test
-- assert_esms_audit_matches_indicators). dossier_id is the DUI's own pseudonymous id; the INS of ESMS-DMP is a
-- directly identifying number: restrict access to this mart as to the staging layer.
with dates as (
    select measure_date from {{ ref('int_measure_dates') }}
),

esms as (
    select measure_date, finess_geo from {{ ref('int_esms_in_force_at_measure_date') }}
    where measure_date in (select measure_date from dates)
),

actifs as (
    select a.measure_date, a.finess_geo, a.dossier_id, a.has_valid_pp, a.has_agenda_event
    from {{ ref('int_dui_actifs_at_measure_date') }} as a
    join esms using (measure_date, finess_geo)
),

messages as (
    select m.measure_date, m.finess_geo, m.message_id
    from {{ ref('int_esms_mss_messages_in_window') }} as m
    where m.measure_date in (select measure_date from dates)
),

patients as (
    select p.measure_date, p.finess_geo, p.patient_ins
    from {{ ref('int_esms_dmp_patients_in_window') }} as p
    where p.measure_date in (select measure_date from dates)
)

select 'ESMS-DUI-ACTIFS' as indicator_id, measure_date, finess_geo, 'dossier_id' as id_type, dossier_id,
       true as in_numerator, false as in_denominator
from actifs
union all
select 'ESMS-DUI-PP', measure_date, finess_geo, 'dossier_id', dossier_id, has_valid_pp, true
from actifs
union all
select 'ESMS-DUI-AGENDA', measure_date, finess_geo, 'dossier_id', dossier_id, has_agenda_event, true
from actifs
union all
select 'ESMS-MSS', measure_date, finess_geo, 'message_id', message_id, true, false
from messages
union all
select 'ESMS-MSS', measure_date, finess_geo, 'dossier_id', dossier_id, false, true
from actifs where has_valid_pp
union all
select 'ESMS-DMP', measure_date, finess_geo, 'ins', patient_ins, true, false
from patients
union all
select 'ESMS-DMP', measure_date, finess_geo, 'dossier_id', dossier_id, false, true
from actifs where has_valid_pp
