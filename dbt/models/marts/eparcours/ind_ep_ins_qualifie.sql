{{ indicator_config() }}
-- EP-INS, per DAC, per CPTS and region: dossiers open at D whose INS is qualified (ins_statut = VALI) and
-- carries a valid key. A dossier with a wrong INS key is not quarantined: it stays in the denominator
-- (rulebook "invalid INS"). Region = DAC rows + CPTS rows.
with structures as (
    select measure_date, structure_id, finess, lower(structure_type) as scope_type
    from {{ ref('int_coord_structures_at_measure_date') }}
    where structure_type in ('DAC', 'CPTS')
),

rows as (
    select
        s.measure_date,
        s.scope_type,
        s.finess as scope_id,
        cast(null as varchar) as subgroup,
        count(d.dossier_id) filter (where d.ins_statut = 'VALI' and d.ins_valid) as numerator,
        count(d.dossier_id) as denominator
    from structures as s
    left join {{ ref('int_coord_dossiers_at_measure_date') }} as d
        on d.measure_date = s.measure_date and d.structure_id = s.structure_id and d.is_open_at_measure_date
    group by all
)

{{ indicator_rows('EP-INS', 'rows') }}
