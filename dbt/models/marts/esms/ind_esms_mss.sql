{{ indicator_config() }}
-- ESMS-MSS, per ESMS (FINESS géographique) in force at D:
--   numerator    messages sent via the MSSanté by the ESMS (sender_finess), not FAILED, in the MSS/DMP window
--                (int_esms_mss_messages_in_window); every message of the ESMS counts, not only messages about
--                people of the denominator (rulebook), so the rate may exceed 100 % (doc 003 says so too)
--   denominator  DUI actifs with a valid projet personnalisé (int_dui_actifs_at_measure_date.has_valid_pp)
-- An ESMS in force without DUI actif with PP gets a no_data row (numerator still published). No region row.
-- period_start / period_end of the row are the window's (the N months ending at D, EPARCOURS_ESMS_WINDOW_MONTHS,
-- default 3 = the quarter), so that the published period is the one the numerator was measured on.
with indicator as (
    with esms as (
        select measure_date, finess_geo
        from {{ ref('int_esms_in_force_at_measure_date') }}
        where measure_date in (select measure_date from {{ ref('int_measure_dates') }})
    ),

    counted as (
        select measure_date, finess_geo, count(*) as n
        from {{ ref('int_esms_mss_messages_in_window') }}
        where measure_date in (select measure_date from {{ ref('int_measure_dates') }})
        group by 1, 2
    ),

    with_pp as (
        select measure_date, finess_geo, count(*) as n
        from {{ ref('int_dui_actifs_at_measure_date') }}
        where has_valid_pp
          and measure_date in (select measure_date from {{ ref('int_measure_dates') }})
        group by 1, 2
    ),

    rows as (
        select
            esms.measure_date,
            'esms' as scope_type,
            esms.finess_geo as scope_id,
            cast(null as varchar) as subgroup,
            coalesce(c.n, 0) as numerator,
            coalesce(pp.n, 0) as denominator
        from esms
        left join counted as c using (measure_date, finess_geo)
        left join with_pp as pp using (measure_date, finess_geo)
    )

    {{ indicator_rows('ESMS-MSS', 'rows', region_rows=false) }}
)

select
    i.indicator_id,
    i.measure_date,
    w.window_start as period_start,
    w.window_end as period_end,
    i.scope_type,
    i.scope_id,
    i.subgroup,
    i.numerator,
    i.denominator
from indicator as i
join {{ ref('int_esms_measure_windows') }} as w using (measure_date)
