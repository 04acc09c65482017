-- DUI agenda entries starting in the period (quarter ending at D, by the local date written in start_at,
-- whatever month file carries them), one row per ESMS x dossier with >=1 such entry. An entry QUALIFIES for
-- ESMS-DUI-AGENDA (rulebook; doc 003 Q59 « a minima constituée d'une date, d'une heure et d'une durée »,
-- « n'est pas considéré ... Une transmission entre professionnels ») when it has a start time, a duration
-- (duree_minutes not null and > 0) and its nature is not TRANSMISSION (ACTIVITE, ACTIVITE_COLLECTIVE and
-- ADMINISTRATION qualify).
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

with entries as (
    select
        m.measure_date,
        a.finess_geo,
        a.dossier_id,
        a.agenda_id,
        a.start_at is not null and coalesce(a.duree_minutes > 0, false)
            and a.nature <> 'TRANSMISSION' as qualifies
    from {{ ref('int_measure_dates') }} as m
    join {{ ref('stg_dui__agenda') }} as a
        on a.start_at_date between m.period_start and m.measure_date
)

select
    measure_date,
    finess_geo,
    dossier_id,
    count(distinct agenda_id) as n_entries_in_period,
    count(distinct agenda_id) filter (where qualifies) as n_qualifying_entries,
    bool_or(qualifies) as has_qualifying_entry
from entries
group by 1, 2, 3
