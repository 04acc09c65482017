{{ indicator_config() }}
-- EP-6.3, per DAC and region: dossiers open at D with >=1 NOTIFICATION, ALERTE or CARNET_LIAISON event
-- in the period.
with dac as (
    select measure_date, structure_id, finess from {{ ref('int_coord_structures_at_measure_date') }}
    where structure_type = 'DAC'
),

rows as (
    select
        dac.measure_date,
        'dac' as scope_type,
        dac.finess as scope_id,
        cast(null as varchar) as subgroup,
        count(d.dossier_id) filter (where coalesce(a.n_notifications, 0) > 0) as numerator,
        count(d.dossier_id) as denominator
    from dac
    left join {{ ref('int_coord_dossiers_at_measure_date') }} as d
        on d.measure_date = dac.measure_date and d.structure_id = dac.structure_id and d.is_open_at_measure_date
    left join {{ ref('int_coord_dossier_activity_in_period') }} as a
        on a.measure_date = d.measure_date and a.dossier_id = d.dossier_id
    group by all
)

{{ indicator_rows('EP-6.3', 'rows') }}
