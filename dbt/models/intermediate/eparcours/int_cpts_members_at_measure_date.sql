-- CPTS members of the cpts_membres snapshot in force at D (latest on or before D), with their membership
-- dates: members AT D are those with date_adhesion empty or <= D and date_fin empty or > D; EP-7.2 checks
-- membership on each event's date with the same rule.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

with snapshot_in_force as (
    {{ snapshot_in_force('stg_coordination__cpts_membres') }}
)

select
    sif.measure_date,
    sif.snapshot_date,
    s.structure_id,
    s.professionnel_id,
    s.profession,
    s.date_adhesion,
    s.date_fin,
    (s.date_adhesion is null or s.date_adhesion <= sif.measure_date)
        and (s.date_fin is null or s.date_fin > sif.measure_date) as is_member_at_measure_date
from snapshot_in_force as sif
join {{ ref('stg_coordination__cpts_membres') }} as s using (snapshot_date)
