-- ESMS reported at D: the FINESS géographique of the esms_projets snapshot in force at D (the latest dated
-- snapshot on or before D; rulebook "snapshots" and "structures reported"), with what the CNSA workbook needs
-- about the funded project (GALIS reference, SIRET of the holder, signatory). Only these ESMS get rows; an ESMS
-- of a later snapshot, or of the DUI exports only, gets none.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

with snapshot_in_force as (
    {{ snapshot_in_force('stg_dui__esms_projets') }}
)

select
    sif.measure_date,
    sif.snapshot_date,
    p.galis_ref,
    p.siret_porteur,
    p.finess_geo,
    p.raison_sociale,
    p.signataire_nom,
    p.signataire_qualite
from snapshot_in_force as sif
join {{ ref('stg_dui__esms_projets') }} as p using (snapshot_date)
