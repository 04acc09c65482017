{{ indicator_config() }}
-- Auditors' trail of EP-INS: one row per dossier open at D of every DAC and every CPTS (the denominator of
-- ind_ep_ins_qualifie), from the same intermediate models, with why its identity counts as qualified or not.
-- Evidence: the dossier's row of the dossiers snapshot in force at D (it carries ins_statut and the INS; the
-- INS itself is never shown, only whether its key is valid).
with measure_dates as (
    select measure_date from {{ ref('int_measure_dates') }}
),

structures as (
    select s.measure_date, s.structure_id, s.finess, lower(s.structure_type) as scope_type
    from {{ ref('int_coord_structures_at_measure_date') }} as s
    join measure_dates using (measure_date)
    where s.structure_type in ('DAC', 'CPTS')
),

open_dossiers as (
    select
        d.measure_date,
        d.snapshot_month,
        d.structure_id,
        d.dossier_id,
        d.ins is not null as has_ins,
        coalesce(d.ins_valid, false) as ins_valid,
        d.ins_statut,
        d.ins_statut = 'VALI' and d.ins_valid as qualified
    from {{ ref('int_coord_dossiers_at_measure_date') }} as d
    join measure_dates using (measure_date)
    where d.is_open_at_measure_date
)

select
    cast('EP-INS' as varchar) as indicator_id,
    st.measure_date,
    st.scope_type,
    st.finess as scope_id,
    cast(null as varchar) as subgroup,
    cast('dossier' as varchar) as unit,
    d.dossier_id as unit_id,
    true as in_denominator,
    coalesce(d.qualified, false) as in_numerator,
    cast(case
        when d.qualified then 'INS_QUALIFIEE'
        when d.ins_statut = 'VALI' and d.has_ins then 'INS_CLE_INVALIDE'
        when d.ins_statut = 'PROV' and d.has_ins then 'INS_PROVISOIRE'
        when d.ins_statut = 'RECUP' and d.has_ins then 'INS_RECUPEREE'
        else 'INS_ABSENTE'
    end as varchar) as reason_code,
    cast('dossier' as varchar) as evidence_kind,
    s.dossier_id as evidence_id,
    s.date_ouverture as evidence_date,
    s._file_name as evidence_file,
    s._file_sha256 as evidence_sha256,
    cast(s._line_number as bigint) as evidence_line
from structures as st
join open_dossiers as d on d.measure_date = st.measure_date and d.structure_id = st.structure_id
left join {{ ref('stg_coordination__dossiers') }} as s
    on s.file_month = d.snapshot_month and s.dossier_id = d.dossier_id
