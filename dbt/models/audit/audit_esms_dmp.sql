{{ indicator_config() }}
-- Auditors' trail of ESMS-DMP (ind_esms_dmp, macro esms_window_indicator): per ESMS in force,
--   numerator    one row per patient of int_esms_dmp_patients_in_window (unit `patient`, unit_id = patient_ins, the
--                keyed pseudonym of the INS computed at the ingestion, never the INS): DMP_ALIMENTE, in_numerator only
--                (every patient of the ESMS counts); evidence = the latest document counted: the row of
--                stg_dmp__documents of that author FINESS and patient, submitted on the intermediate's
--                last_submitted_at_date, not DELETED (the intermediate's rule), latest instant, then document id
--   denominator  one row per DUI actif with a valid projet personnalisé (unit `dui`): DUI_AVEC_PP, in_denominator
--                only; evidence = the valid projet (macro audit_esms_projet_evidence)
with dates as (
    select measure_date from {{ ref('int_measure_dates') }}
),

actifs as (
    {{ audit_esms_dui_actifs() }}
),

projets as (
    {{ audit_esms_projet_evidence() }}
),

patients as (
    select
        p.measure_date, p.finess_geo, p.patient_ins,
        d.document_id, d.submitted_at_date, d._file_name, d._file_sha256, d._line_number
    from {{ ref('int_esms_dmp_patients_in_window') }} as p
    join {{ ref('int_esms_in_force_at_measure_date') }} as e using (measure_date, finess_geo)
    left join {{ ref('stg_dmp__documents') }} as d
        on d.author_finess = p.finess_geo
       and d.patient_ins = p.patient_ins
       and d.submitted_at_date = p.last_submitted_at_date
       and d.status <> 'DELETED'
    where p.measure_date in (select measure_date from dates)
    qualify row_number() over (
        partition by p.measure_date, p.finess_geo, p.patient_ins
        order by d.submitted_at desc, d.document_id desc, d._file_name desc, d._line_number
    ) = 1
),

rows as (
    select
        measure_date, finess_geo, 'patient' as unit, patient_ins as unit_id,
        false as in_denominator, true as in_numerator, 'DMP_ALIMENTE' as reason_code,
        'document' as evidence_kind, document_id as evidence_id, submitted_at_date as evidence_date,
        _file_name as evidence_file, _file_sha256 as evidence_sha256, _line_number as evidence_line
    from patients
    union all
    select
        a.measure_date, a.finess_geo, 'dui', a.dossier_id,
        true, false, 'DUI_AVEC_PP',
        'projet', p.projet_id, p.evidence_date, p._file_name, p._file_sha256, p._line_number
    from actifs as a
    left join projets as p using (measure_date, finess_geo, dossier_id)
    where a.has_valid_pp
)

{{ audit_esms_select('ESMS-DMP', 'rows') }}
