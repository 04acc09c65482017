{{ indicator_config() }}
-- Auditors' trail of EP-4.2 (ind_ep_4_2_synthese_dmp), region: one row per DAC coordination dossier open at D
-- (the denominator), in the numerator when its patient (same valid INS) has a DMP document with a
-- coordination-synthesis type code, authored by that DAC's FINESS, not DELETED, submitted between the opening and
-- D — the same intermediates and the same join as the indicator. Evidence: the latest such document (numerator),
-- else the dossier's row of the monthly snapshot in force (its opening date explains the window searched).
with dac as (
    select measure_date, structure_id, finess from {{ ref('int_coord_structures_at_measure_date') }}
    where structure_type = 'DAC'
),

dossiers as (
    select d.measure_date, d.snapshot_month, d.dossier_id, d.ins, d.ins_valid, d.date_ouverture, dac.finess
    from {{ ref('int_coord_dossiers_at_measure_date') }} as d
    join {{ ref('int_measure_dates') }} as m on m.measure_date = d.measure_date
    join dac on dac.measure_date = d.measure_date and dac.structure_id = d.structure_id
    where d.is_open_at_measure_date
),

latest_synthesis as (
    select d.measure_date, d.dossier_id, doc.document_id, doc.submitted_at_date, doc._file_name, doc._file_sha256,
        doc._line_number
    from dossiers as d
    join {{ ref('stg_dmp__documents') }} as doc
        on d.ins_valid
       and doc.patient_ins = d.ins
       and doc.author_finess = d.finess
       and doc.status <> 'DELETED'
       and doc.submitted_at_date between d.date_ouverture and d.measure_date
    join {{ ref('ref_ep_4_2_type_codes') }} as tc on tc.type_code = doc.type_code
    qualify row_number() over (partition by d.measure_date, d.dossier_id
                               order by doc.submitted_at desc, doc.document_id desc) = 1
)

select
    cast('EP-4.2' as varchar) as indicator_id,
    d.measure_date,
    cast('region' as varchar) as scope_type,
    cast((select region_code from {{ ref('int_region') }}) as varchar) as scope_id,
    cast(null as varchar) as subgroup,
    cast('dossier' as varchar) as unit,
    cast(d.dossier_id as varchar) as unit_id,
    true as in_denominator,
    s.dossier_id is not null as in_numerator,
    cast(case
        when s.dossier_id is not null then 'EP42_SYNTHESE_DMP'
        when not coalesce(d.ins_valid, false) then 'EP42_INS_NON_VALIDE'
        else 'EP42_SANS_SYNTHESE'
    end as varchar) as reason_code,
    cast(case when s.dossier_id is not null then 'document' else 'dossier' end as varchar) as evidence_kind,
    cast(coalesce(s.document_id, d.dossier_id) as varchar) as evidence_id,
    cast(case when s.dossier_id is not null then s.submitted_at_date else d.date_ouverture end as date)
        as evidence_date,
    cast(case when s.dossier_id is not null then s._file_name else f._file_name end as varchar) as evidence_file,
    cast(case when s.dossier_id is not null then s._file_sha256 else f._file_sha256 end as varchar)
        as evidence_sha256,
    cast(case when s.dossier_id is not null then s._line_number else f._line_number end as bigint) as evidence_line
from dossiers as d
left join latest_synthesis as s on s.measure_date = d.measure_date and s.dossier_id = d.dossier_id
left join {{ ref('stg_coordination__dossiers') }} as f
    on s.dossier_id is null and f.file_month = d.snapshot_month and f.dossier_id = d.dossier_id
