-- DAC and CPTS of the coord_structures snapshot in force at D (latest snapshot on or before D).
-- Rulebook "structures reported": only these get DAC/CPTS rows.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

with snapshot_in_force as (
    {{ snapshot_in_force('stg_coordination__structures') }}
)

select
    sif.measure_date,
    sif.snapshot_date,
    s.structure_id,
    s.finess,
    s.structure_type,
    s.nom,
    coalesce(s.reseau_social, false) as reseau_social,
    coalesce(s.dossier_coordination, false) as dossier_coordination
from snapshot_in_force as sif
join {{ ref('stg_coordination__structures') }} as s using (snapshot_date)
