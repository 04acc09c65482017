{{ indicator_config() }}
-- ESMS-DUI-PP, per ESMS (FINESS géographique) in force at D: DUI actifs with a valid projet personnalisé
-- (int_dui_projets_at_measure_date: updated after creation, and MISE_EN_OEUVRE ending after D or PREPARATION
-- created before D ending after D; an empty date_fin = after D) / DUI actifs (int_dui_actifs_at_measure_date).
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
        count(a.dossier_id) filter (where a.has_valid_pp) as numerator,
        count(a.dossier_id) as denominator
    from esms
    left join {{ ref('int_dui_actifs_at_measure_date') }} as a using (measure_date, finess_geo)
    group by all
)

{{ indicator_rows('ESMS-DUI-PP', 'rows', region_rows=false) }}
