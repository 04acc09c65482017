{{ indicator_config() }}
-- Auditors' trail of ESMS-DUI-PP (ind_esms_dui_pp): one row per DUI actif of an ESMS in force (unit `dui`,
-- int_dui_actifs_at_measure_date), all in_denominator; in_numerator = has_valid_pp (the indicator's flag). The reason
-- and the evidence are the projet personnalisé of the snapshot in force that says best why (macro
-- audit_esms_projet_evidence: PP_VALIDE, PP_NON_MIS_A_JOUR, PP_TERMINE, PP_PREPARATION_NON_ANTERIEURE, PP_CLOS);
-- a dossier without any projet in that snapshot: PP_ABSENT, no evidence.
with actifs as (
    {{ audit_esms_dui_actifs() }}
),

projets as (
    {{ audit_esms_projet_evidence() }}
),

rows as (
    select
        a.measure_date,
        a.finess_geo,
        'dui' as unit,
        a.dossier_id as unit_id,
        true as in_denominator,
        a.has_valid_pp as in_numerator,
        coalesce(p.reason_code, 'PP_ABSENT') as reason_code,
        case when p.projet_id is not null then 'projet' end as evidence_kind,
        p.projet_id as evidence_id,
        p.evidence_date,
        p._file_name as evidence_file,
        p._file_sha256 as evidence_sha256,
        p._line_number as evidence_line
    from actifs as a
    left join projets as p using (measure_date, finess_geo, dossier_id)
)

{{ audit_esms_select('ESMS-DUI-PP', 'rows') }}
