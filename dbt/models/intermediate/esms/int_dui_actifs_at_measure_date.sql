-- DUI actifs at D (rulebook "ESMS Numérique"; doc 003 Q57): one row per ESMS x dossier with >=1 UPDATE in the
-- period (quarter ending at D, both ends inclusive). An update is a DUI event
--   - with actor_type UTILISATEUR (« La mise à jour par un système externe n'est pas prise en compte »; a liberal
--     doctor who uses the software is a UTILISATEUR), and
--   - a business event_type (macro esms_business_event_types: AGENDA, PRESCRIPTION, TRANSMISSION,
--     PROJET_PERSONNALISE, EVALUATION, DOCUMENT, SOIN, ACCOMPAGNEMENT); never CORRECTION_IDENTITE, TECHNIQUE,
--     ADMINISTRATIF, CONSULTATION (read only), RECEPTION_MSS, INTEGRATION_EXTERNE;
--   - dated by the calendar date written in event_at (local date, never UTC), whatever month file carries it.
-- A dossier is actif even if the person left the ESMS since (rulebook "DUI actif"): the dui_dossiers snapshot
-- (D's month, else the latest earlier month) is only joined to describe the dossier (exit date), never to filter.
-- Flags used by the indicators:
--   has_valid_pp      >=1 projet personnalisé of the dossier with is_valid_pp (int_dui_projets_at_measure_date)
--   has_agenda_event  >=1 qualifying agenda entry starting in the period (int_dui_agenda_in_period)
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

with updates as (
    select
        m.measure_date,
        e.finess_geo,
        e.dossier_id,
        count(distinct e.event_id) as n_updates,
        min(e.event_at_date) as first_update_date,
        max(e.event_at_date) as last_update_date
    from {{ ref('int_measure_dates') }} as m
    join {{ ref('stg_dui__evenements') }} as e
        on e.event_at_date between m.period_start and m.measure_date
    where e.actor_type = 'UTILISATEUR'
      and e.event_type in {{ esms_business_event_types() }}
    group by 1, 2, 3
),

dossier_snapshot_in_force as (
    {{ snapshot_in_force('stg_dui__dossiers', 'file_month') }}
),

dossiers as (
    select sif.measure_date, d.finess_geo, d.dossier_id, d.date_admission, d.date_sortie, d.motif_sortie
    from dossier_snapshot_in_force as sif
    join {{ ref('stg_dui__dossiers') }} as d using (file_month)
),

pp as (
    select measure_date, finess_geo, dossier_id, bool_or(is_valid_pp) as has_valid_pp
    from {{ ref('int_dui_projets_at_measure_date') }}
    where measure_date in (select measure_date from {{ ref('int_measure_dates') }})
    group by 1, 2, 3
)

select
    u.measure_date,
    u.finess_geo,
    u.dossier_id,
    u.n_updates,
    u.first_update_date,
    u.last_update_date,
    d.dossier_id is not null as in_dossiers_snapshot,
    d.date_admission,
    d.date_sortie,
    d.motif_sortie,
    coalesce(pp.has_valid_pp, false) as has_valid_pp,
    coalesce(ag.has_qualifying_entry, false) as has_agenda_event
from updates as u
left join dossiers as d using (measure_date, finess_geo, dossier_id)
left join pp using (measure_date, finess_geo, dossier_id)
left join {{ ref('int_dui_agenda_in_period') }} as ag using (measure_date, finess_geo, dossier_id)
