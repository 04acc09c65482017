-- The EP-3.2 universe: FINESS établissements (EG) of the region, from the etalab stock in force at D
-- (latest snapshot on or before D), open at D (dateouv <= D, empty = open), each in ONE group:
--   SAN_HAD_USLD     categetab 127 (HAD) or 362 (USLD), or a forme 05 (HAD) authorisation in force at D
--                    (dateautor <= D, datefin empty or after D)
--   SAN_MCO_SSR_PSY  any other category of the ROR "Sanitaire" domain
--   MEDICO_SOCIAL    ROR "Medico-social" domain (PA, PH, ESMS domicile, autres MS)
--   VILLE            ROR "Offre de ville" domain, from 2021
-- Categories enter the universe from the year their ROR perimeter starts ("Périmètre historique" always,
-- "Nouveau périmètre 2023" from 2023-01-01, "Nouveau périmètre 2024" from 2024-01-01); categories
-- "Non suivi", "Coordination" or outside the perimeter file are not in the universe.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

with stock_in_force as (
    {{ snapshot_in_force('stg_finess__structures') }}
),

autorisations_in_force as (
    {{ snapshot_in_force('stg_finess__autorisations') }}
),

had_authorised as (
    select distinct f.measure_date, a.nofinesset
    from autorisations_in_force as f
    join {{ ref('stg_finess__autorisations') }} as a using (snapshot_date)
    where a.forme = '05'
      and (a.dateautor is null or a.dateautor <= f.measure_date)
      and (a.datefin is null or a.datefin > f.measure_date)
),

eg as (
    select f.measure_date, s.nofinesset, s.rs, s.categetab, s.code_region, s.dateouv
    from stock_in_force as f
    join {{ ref('stg_finess__structures') }} as s using (snapshot_date)
    where s.code_region = (select region_code from {{ ref('int_region') }})
      and (s.dateouv is null or s.dateouv <= f.measure_date)
),

grouped as (
    select
        eg.*,
        p.domaine_ror,
        p.type_perimetre_ror,
        case
            when eg.categetab in ('127', '362') or h.nofinesset is not null then 'SAN_HAD_USLD'
            when p.domaine_ror = 'Sanitaire' then 'SAN_MCO_SSR_PSY'
            when p.domaine_ror = 'Medico-social' then 'MEDICO_SOCIAL'
            when p.domaine_ror = 'Offre de ville' and eg.measure_date >= date '2021-01-01' then 'VILLE'
        end as ep_3_2_group,
        case p.type_perimetre_ror
            when 'Périmètre historique' then true
            when 'Nouveau périmètre 2023' then eg.measure_date >= date '2023-01-01'
            when 'Nouveau périmètre 2024' then eg.measure_date >= date '2024-01-01'
            else false
        end as in_ror_perimeter_at_measure_date
    from eg
    left join {{ ref('ref_finess_categetab_ror_perimetre') }} as p on p.categetab = eg.categetab
    left join had_authorised as h on h.measure_date = eg.measure_date and h.nofinesset = eg.nofinesset
)

select measure_date, nofinesset, rs, categetab, code_region, dateouv, domaine_ror, type_perimetre_ror, ep_3_2_group
from grouped
where ep_3_2_group is not null
  and (in_ror_perimeter_at_measure_date or ep_3_2_group = 'SAN_HAD_USLD')
