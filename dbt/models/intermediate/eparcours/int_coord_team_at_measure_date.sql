-- Care team of each dossier at D, from the coord_equipe snapshot of D's month (else the latest earlier
-- month). A member added on D is in the team; a member removed on D is not (rulebook "end dates");
-- an empty date_ajout means "since always".
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

with snapshot_in_force as (
    {{ snapshot_in_force('stg_coordination__equipe', 'file_month') }}
)

select
    sif.measure_date,
    t.dossier_id,
    count(distinct t.professionnel_id) as n_professionals
from snapshot_in_force as sif
join {{ ref('stg_coordination__equipe') }} as t using (file_month)
where (t.date_ajout is null or t.date_ajout <= sif.measure_date)
  and (t.date_retrait is null or t.date_retrait > sif.measure_date)
group by 1, 2
