{#-
    ESMS Numérique: the rule lists, the MSS/DMP window and the shape of ESMS-MSS / ESMS-DMP, written once (rulebook
    "ESMS Numérique").
-#}

{#- Business event types of the DUI audit trail (landing contract, dui/): an UPDATE is one of these done by a
    UTILISATEUR. Never an update: CORRECTION_IDENTITE, TECHNIQUE, ADMINISTRATIF, CONSULTATION (read only),
    RECEPTION_MSS, INTEGRATION_EXTERNE. -#}
{% macro esms_business_event_types() -%}
    ('AGENDA', 'PRESCRIPTION', 'TRANSMISSION', 'PROJET_PERSONNALISE', 'EVALUATION', 'DOCUMENT', 'SOIN',
     'ACCOMPAGNEMENT')
{%- endmacro %}

{#- Months of the MSS/DMP window (« 3 à 6 mois », doc 003): EPARCOURS_ESMS_WINDOW_MONTHS, default 3, an integer
    from 3 to 6; anything else stops the compilation (a wrong window must never publish silently). -#}
{% macro esms_window_months() -%}
    {%- set raw = env_var('EPARCOURS_ESMS_WINDOW_MONTHS', '3') | trim -%}
    {%- if raw not in ['3', '4', '5', '6'] -%}
        {{ exceptions.raise_compiler_error(
            "EPARCOURS_ESMS_WINDOW_MONTHS must be an integer from 3 to 6 (doc 003: « 3 à 6 mois »), got '"
            ~ raw ~ "'") }}
    {%- endif -%}
    {{ raw | int }}
{%- endmacro %}

{#- ESMS-MSS and ESMS-DMP, written once (they differ only by what the numerator counts). Per ESMS (FINESS
    géographique) in force at D (int_esms_in_force_at_measure_date), scope_type `esms`, no region row:
      numerator    rows of `numerator_model` for the ESMS at D: one per message / patient counted in the MSS/DMP
                   window; every one of the ESMS counts, not only people of the denominator (rulebook), so the
                   rate may exceed 100 %
      denominator  DUI actifs with a valid projet personnalisé (int_dui_actifs_at_measure_date.has_valid_pp)
    An ESMS in force without DUI actif with PP gets a no_data row (numerator still published). period_start /
    period_end of the row are the MSS/DMP window's (int_esms_measure_windows: the N months ending at D,
    EPARCOURS_ESMS_WINDOW_MONTHS, default 3 = the quarter), the period the numerator was measured on. -#}
{% macro esms_window_indicator(indicator_id, numerator_model) -%}
with indicator as (
    with esms as (
        select measure_date, finess_geo
        from {{ ref('int_esms_in_force_at_measure_date') }}
        where measure_date in (select measure_date from {{ ref('int_measure_dates') }})
    ),

    counted as (
        select measure_date, finess_geo, count(*) as n
        from {{ ref(numerator_model) }}
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

    {{ indicator_rows(indicator_id, 'rows', region_rows=false) }}
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
{%- endmacro %}
