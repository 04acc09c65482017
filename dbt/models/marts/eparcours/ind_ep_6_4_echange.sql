{{ indicator_config() }}
-- EP-6.4-ECHANGE, per DAC and region: among dossiers open at D with >=1 message in the period, those with
-- >=2 messages from >=2 distinct authors in the period.
with dac as (
    select measure_date, structure_id, finess from {{ ref('int_coord_structures_at_measure_date') }}
    where structure_type = 'DAC'
),

dossiers as (
    select d.measure_date, d.structure_id, d.dossier_id, a.n_messages, a.n_message_authors
    from {{ ref('int_coord_dossiers_at_measure_date') }} as d
    join {{ ref('int_coord_dossier_activity_in_period') }} as a
        on a.measure_date = d.measure_date and a.dossier_id = d.dossier_id
    where d.is_open_at_measure_date and a.n_messages >= 1
),

rows as (
    select
        dac.measure_date,
        'dac' as scope_type,
        dac.finess as scope_id,
        cast(null as varchar) as subgroup,
        count(d.dossier_id) filter (where d.n_messages >= 2 and d.n_message_authors >= 2) as numerator,
        count(d.dossier_id) as denominator
    from dac
    left join dossiers as d on d.measure_date = dac.measure_date and d.structure_id = dac.structure_id
    group by all
)

{{ indicator_rows('EP-6.4-ECHANGE', 'rows') }}
