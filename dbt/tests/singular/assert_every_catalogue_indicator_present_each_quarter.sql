-- A failure means an indicator of the catalogue is missing from the published results of a quarter: the ARS would
-- send its reporting without it, silently (a model left out of indicator_results, a catalogue id renamed, no DAC in
-- force at D because a coord_structures snapshot is missing, so that even the region row disappears…). Retired
-- indicators (6.5, the 2020 VSM version of 4.2) are not expected. Not a failure: EP-7.1 / EP-7.2 for a quarter where
-- no CPTS in force uses the service — the official labels are conditional (« Si le collectif de soin utilise un réseau
-- social professionnel », « Si le collectif de soins coordonné utilise un dossier de coordination », note 2021/216
-- Annexe 2 rows 7.1, 7.2) and the rulebook gives CPTS rows "only where the service is in use".
-- Not a failure either: every E-parcours indicator of a region that delivers no E-parcours extract at all (no
-- coordination tool snapshot, no ROR: the ESMS Numérique extracts only) — that region has no E-parcours programme in
-- this warehouse; one coordination or ROR file and every E-parcours indicator is expected again.
-- Programmes checked: one list; add 'ESMS Numérique' to it once its indicators are published for every ESMS quarter.
{% set programmes = ['E-parcours'] %}

with measure_dates as (
    select distinct measure_date from {{ ref('indicator_results') }}
),

expected as (
    select c.indicator_id, m.measure_date
    from {{ ref('ref_indicator_catalogue') }} as c
    cross join measure_dates as m
    where not c.retired
      and c.programme in ('{{ programmes | join("', '") }}')
      and (c.programme <> 'E-parcours'
           or exists (select 1 from {{ ref('stg_coordination__structures') }})
           or exists (select 1 from {{ ref('stg_ror__eg') }}))
),

present as (
    select distinct indicator_id, measure_date from {{ ref('indicator_results') }}
),

not_applicable as (
    select s.indicator_id, m.measure_date
    from measure_dates as m
    cross join (values ('EP-7.1', 'reseau_social'), ('EP-7.2', 'dossier_coordination')) as s (indicator_id, service)
    where not exists (
        select 1
        from {{ ref('int_coord_structures_at_measure_date') }} as st
        where st.measure_date = m.measure_date
          and st.structure_type = 'CPTS'
          and case s.service when 'reseau_social' then st.reseau_social else st.dossier_coordination end
    )
)

select e.indicator_id, e.measure_date
from expected as e
where not exists (select 1 from present as p where p.indicator_id = e.indicator_id and p.measure_date = e.measure_date)
  and not exists (select 1 from not_applicable as n where n.indicator_id = e.indicator_id and n.measure_date = e.measure_date)
