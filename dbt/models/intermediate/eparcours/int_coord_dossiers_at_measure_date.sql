-- Coordination dossiers as known at D: the monthly snapshot of D's month, else the latest earlier month
-- (rulebook "snapshots"), with the flags every E-parcours indicator starts from.
--   is_open_at_measure_date: opened on or before D and not closed on or before D (closed on D = not open)
--   opened_in_period: opened between the first day of the quarter and D, both inclusive (EP-6.2; such a
--   dossier counts even if closed by D)
-- A request not opened yet (date_ouverture empty) is neither open at D nor opened in the period: both flags
-- are false, never NULL.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

with snapshot_in_force as (
    select sif.measure_date, m.period_start, sif.file_month
    from ({{ snapshot_in_force('stg_coordination__dossiers', 'file_month') }}) as sif
    join {{ ref('int_measure_dates') }} as m on m.measure_date = sif.measure_date
)

select
    sif.measure_date,
    sif.period_start,
    sif.file_month as snapshot_month,
    d.dossier_id,
    d.structure_id,
    d.usager_id,
    d.ins,
    d.ins_valid,
    d.ins_statut,
    d.date_ouverture,
    d.date_cloture,
    coalesce(d.date_ouverture <= sif.measure_date, false)
        and (d.date_cloture is null or d.date_cloture > sif.measure_date) as is_open_at_measure_date,
    coalesce(d.date_ouverture between sif.period_start and sif.measure_date, false) as opened_in_period
from snapshot_in_force as sif
join {{ ref('stg_coordination__dossiers') }} as d using (file_month)
