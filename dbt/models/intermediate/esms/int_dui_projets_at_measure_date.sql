-- Projets personnalisés as known at D: the dui_projets monthly snapshot of D's month, else the latest earlier
-- month (rulebook "snapshots"), one row per ESMS x projet, with the validity rule of ESMS-DUI-PP (rulebook;
-- doc 003 Q58):
--   updated_after_creation  last_updated_at > created_at (« mis à jour au moins une fois depuis sa création »:
--                           a projet created automatically at admission and never touched does not count);
--                           an empty last_updated_at is not an update
--   ends_after_measure_date date_fin after D; an empty date_fin = after D
--   is_actif                statut MISE_EN_OEUVRE and ends_after_measure_date (« projet personnalisé actif »)
--   is_en_preparation       statut PREPARATION, created before D (local date written in created_at < D) and
--                           ends_after_measure_date (« projet personnalisé en préparation »)
--   is_valid_pp             updated_after_creation and (is_actif or is_en_preparation). CLOS never counts.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

with snapshot_in_force as (
    {{ snapshot_in_force('stg_dui__projets', 'file_month') }}
),

projets as (
    select
        sif.measure_date,
        sif.file_month as snapshot_month,
        p.finess_geo,
        p.dossier_id,
        p.projet_id,
        p.created_at,
        p.created_at_date,
        p.last_updated_at,
        p.date_debut,
        p.date_fin,
        p.statut,
        coalesce(p.last_updated_at > p.created_at, false) as updated_after_creation,
        p.date_fin is null or p.date_fin > sif.measure_date as ends_after_measure_date,
        p.created_at_date < sif.measure_date as created_before_measure_date
    from snapshot_in_force as sif
    join {{ ref('stg_dui__projets') }} as p using (file_month)
),

flagged as (
    select
        *,
        statut = 'MISE_EN_OEUVRE' and ends_after_measure_date as is_actif,
        statut = 'PREPARATION' and created_before_measure_date and ends_after_measure_date as is_en_preparation
    from projets
)

select
    measure_date,
    snapshot_month,
    finess_geo,
    dossier_id,
    projet_id,
    created_at,
    created_at_date,
    last_updated_at,
    date_debut,
    date_fin,
    statut,
    updated_after_creation,
    ends_after_measure_date,
    is_actif,
    is_en_preparation,
    updated_after_creation and (is_actif or is_en_preparation) as is_valid_pp
from flagged
