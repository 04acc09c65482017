{{ indicator_config() }}
-- EP-6.4-EQUIPE, per DAC and region: among dossiers open at D whose team at D has >=1 member, those whose
-- team has >=2 distinct professionals.
with dac as (
    select measure_date, structure_id, finess from {{ ref('int_coord_structures_at_measure_date') }}
    where structure_type = 'DAC'
),

dossiers as (
    select d.measure_date, d.structure_id, d.dossier_id, t.n_professionals
    from {{ ref('int_coord_dossiers_at_measure_date') }} as d
    join {{ ref('int_coord_team_at_measure_date') }} as t
        on t.measure_date = d.measure_date and t.dossier_id = d.dossier_id
    where d.is_open_at_measure_date and t.n_professionals >= 1
),

rows as (
    select
        dac.measure_date,
        'dac' as scope_type,
        dac.finess as scope_id,
        cast(null as varchar) as subgroup,
        count(d.dossier_id) filter (where d.n_professionals >= 2) as numerator,
        count(d.dossier_id) as denominator
    from dac
    left join dossiers as d on d.measure_date = dac.measure_date and d.structure_id = dac.structure_id
    group by all
)

{{ indicator_rows('EP-6.4-EQUIPE', 'rows') }}
