{{ indicator_config() }}
-- ESMS-DUI-ACTIFS, per ESMS (FINESS géographique) in force at D: DUI actifs (dossiers with >=1 update in the
-- period, int_dui_actifs_at_measure_date) / personnes accompagnées (mean file active of Y-3..Y-1, only Y-1 when
-- atypique, rounded half up; int_esms_personnes_accompagnees). An ESMS in force without any usable year of file
-- active gets denominator 0 (no_data, numerator still published). No region row (ESMS Numérique is measured and
-- collected per FINESS géographique). May exceed 100 % (the file active is a declared mean, not a list).
with esms as (
    select measure_date, finess_geo
    from {{ ref('int_esms_in_force_at_measure_date') }}
    where measure_date in (select measure_date from {{ ref('int_measure_dates') }})
),

actifs as (
    select measure_date, finess_geo, count(*) as n_dui_actifs
    from {{ ref('int_dui_actifs_at_measure_date') }}
    where measure_date in (select measure_date from {{ ref('int_measure_dates') }})
    group by 1, 2
),

rows as (
    select
        esms.measure_date,
        'esms' as scope_type,
        esms.finess_geo as scope_id,
        cast(null as varchar) as subgroup,
        coalesce(a.n_dui_actifs, 0) as numerator,
        coalesce(p.personnes_accompagnees, 0) as denominator
    from esms
    left join actifs as a using (measure_date, finess_geo)
    left join {{ ref('int_esms_personnes_accompagnees') }} as p using (measure_date, finess_geo)
)

{{ indicator_rows('ESMS-DUI-ACTIFS', 'rows', region_rows=false) }}
