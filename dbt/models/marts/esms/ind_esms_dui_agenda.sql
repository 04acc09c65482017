{{ indicator_config() }}
-- ESMS-DUI-AGENDA, per ESMS (FINESS géographique) in force at D: DUI actifs with >=1 agenda entry starting in
-- the period with a time, a duration > 0 and a nature other than TRANSMISSION (int_dui_agenda_in_period) / DUI
-- actifs (int_dui_actifs_at_measure_date).
-- An ESMS in force without DUI actif gets a no_data row (0 / 0). No region row.
with esms as (
    select measure_date, finess_geo
    from {{ ref('int_esms_in_force_at_measure_date') }}
    where measure_date in (select measure_date from {{ ref('int_measure_dates') }})
),

rows as (
    select
        esms.measure_date,
        'esms' as scope_type,
        esms.finess_geo as scope_id,
        cast(null as varchar) as subgroup,
        count(a.dossier_id) filter (where a.has_agenda_event) as numerator,
        count(a.dossier_id) as denominator
    from esms
    left join {{ ref('int_dui_actifs_at_measure_date') }} as a using (measure_date, finess_geo)
    group by all
)

{{ indicator_rows('ESMS-DUI-AGENDA', 'rows', region_rows=false) }}
