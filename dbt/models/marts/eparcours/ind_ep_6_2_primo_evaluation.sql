{{ indicator_config() }}
-- EP-6.2, per DAC and region: dossiers opened during the period (even if closed by D) with an EVALUATION
-- event dated from the opening to 30 calendar days after it, inclusive. The evaluation may fall after D:
-- the result stays provisional until the data covers period end + 30 days (see indicator_results).
with dac as (
    select measure_date, structure_id, finess from {{ ref('int_coord_structures_at_measure_date') }}
    where structure_type = 'DAC'
),

opened as (
    select d.measure_date, d.structure_id, d.dossier_id, d.date_ouverture
    from {{ ref('int_coord_dossiers_at_measure_date') }} as d
    where d.opened_in_period
),

evaluated as (
    select distinct o.measure_date, o.dossier_id
    from opened as o
    join {{ ref('stg_coordination__evenements') }} as e
        on e.dossier_id = o.dossier_id
       and e.event_type = 'EVALUATION'
       and e.event_at_date between o.date_ouverture and o.date_ouverture + 30
),

rows as (
    select
        dac.measure_date,
        'dac' as scope_type,
        dac.finess as scope_id,
        cast(null as varchar) as subgroup,
        count(ev.dossier_id) as numerator,
        count(o.dossier_id) as denominator
    from dac
    left join opened as o on o.measure_date = dac.measure_date and o.structure_id = dac.structure_id
    left join evaluated as ev on ev.measure_date = o.measure_date and ev.dossier_id = o.dossier_id
    group by all
)

{{ indicator_rows('EP-6.2', 'rows') }}
