{{ indicator_config() }}
-- EP-4.2, region: DAC coordination dossiers open at D whose patient (same valid INS) has a DMP document
-- with a coordination-synthesis type code (seed ref_ep_4_2_type_codes), authored by that DAC's FINESS,
-- status not DELETED, submitted between the dossier's opening and D (local dates, both inclusive).
-- A dossier whose INS is invalid stays in the denominator and cannot match.
with dac as (
    select measure_date, structure_id, finess from {{ ref('int_coord_structures_at_measure_date') }}
    where structure_type = 'DAC'
),

dossiers as (
    select d.measure_date, d.dossier_id, d.ins, d.ins_valid, d.date_ouverture, dac.finess
    from {{ ref('int_coord_dossiers_at_measure_date') }} as d
    join dac on dac.measure_date = d.measure_date and dac.structure_id = d.structure_id
    where d.is_open_at_measure_date
),

with_synthesis as (
    select distinct d.measure_date, d.dossier_id
    from dossiers as d
    join {{ ref('stg_dmp__documents') }} as doc
        on d.ins_valid
       and doc.patient_ins = d.ins
       and doc.author_finess = d.finess
       and doc.status <> 'DELETED'
       and doc.submitted_at_date between d.date_ouverture and d.measure_date
    join {{ ref('ref_ep_4_2_type_codes') }} as tc on tc.type_code = doc.type_code
),

rows as (
    select
        m.measure_date,
        'region' as scope_type,
        (select region_code from {{ ref('int_region') }}) as scope_id,
        cast(null as varchar) as subgroup,
        count(s.dossier_id) as numerator,
        count(d.dossier_id) as denominator
    from {{ ref('int_measure_dates') }} as m
    left join dossiers as d on d.measure_date = m.measure_date
    left join with_synthesis as s on s.measure_date = d.measure_date and s.dossier_id = d.dossier_id
    group by all
)

{{ indicator_rows('EP-4.2', 'rows', region_rows=false) }}
