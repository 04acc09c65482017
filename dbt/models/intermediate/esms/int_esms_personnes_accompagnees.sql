-- « Nombre de personnes accompagnées » of each ESMS at D (denominator of ESMS-DUI-ACTIFS; doc 003 Q56/Q57), from
-- the esms_file_active snapshot in force at D (latest dated snapshot on or before D):
--   file active of a year  = effectif_31_12 + sorties_definitives (« effectif au 31/12/NN + nombre de sorties
--                            définitives dans l'année »)
--   years                  Y-3, Y-2, Y-1 with Y = year of D (rulebook: « 3 dernières années » = Y-3..Y-1);
--                          only Y-1 when the ESMS is declared atypique (O)
--   atypique               as declared on the most recent year row among Y-3..Y-1 (the latest CPOM declaration)
--   missing years          mean of the years present; file_active_incomplete = fewer years than expected.
--                          An atypique ESMS without a Y-1 row has no year to use (the rulebook allows Y-1 only):
--                          no mean, file_active_incomplete = true
--   personnes_accompagnees the mean rounded half up to an integer (the CNSA column H is « Nombre (en valeur
--                          absolue) »): floor((2 * sum + n) / (2 * n)), exact integer arithmetic
-- One row per ESMS of the snapshot with >=1 row for a year Y-3..Y-1.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

with snapshot_in_force as (
    {{ snapshot_in_force('stg_dui__esms_file_active') }}
),

years as (
    select
        sif.measure_date,
        sif.snapshot_date,
        f.finess_geo,
        f.annee,
        f.effectif_31_12 + f.sorties_definitives as file_active,
        f.atypique
    from snapshot_in_force as sif
    join {{ ref('stg_dui__esms_file_active') }} as f using (snapshot_date)
    where f.annee between year(sif.measure_date) - 3 and year(sif.measure_date) - 1
),

declared as (
    select
        measure_date,
        snapshot_date,
        finess_geo,
        coalesce(arg_max(atypique, annee), false) as atypique
    from years
    group by 1, 2, 3
),

used as (
    select y.measure_date, y.finess_geo, y.annee, y.file_active
    from years as y
    join declared as d using (measure_date, finess_geo)
    where not d.atypique or y.annee = year(y.measure_date) - 1
),

aggregated as (
    select
        d.measure_date,
        d.snapshot_date,
        d.finess_geo,
        d.atypique,
        case when d.atypique then 1 else 3 end as nb_annees_attendues,
        count(u.annee) as nb_annees_file_active,
        string_agg(cast(u.annee as varchar), ',' order by u.annee) as annees_file_active,
        sum(u.file_active) as file_active_total
    from declared as d
    left join used as u using (measure_date, finess_geo)
    group by all
)

select
    measure_date,
    snapshot_date as file_active_snapshot_date,
    finess_geo,
    atypique,
    nb_annees_attendues,
    nb_annees_file_active,
    annees_file_active,
    cast(file_active_total as bigint) as file_active_total,
    case when nb_annees_file_active > 0
        then cast(file_active_total as double) / nb_annees_file_active
    end as file_active_moyenne,
    case when nb_annees_file_active > 0
        then cast((2 * file_active_total + nb_annees_file_active) // (2 * nb_annees_file_active) as bigint)
    end as personnes_accompagnees,
    nb_annees_file_active < nb_annees_attendues as file_active_incomplete
from aggregated
