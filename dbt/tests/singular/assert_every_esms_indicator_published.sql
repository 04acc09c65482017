-- A warning when an ESMS Numérique indicator of the catalogue has no row at all in the results although the region
-- delivers ESMS extracts (esms_projets): no ESMS is in force, or its model did not run (nothing to send to the CNSA
-- for it). Not judged for a region that delivers no ESMS Numérique extract at all (E-parcours only). The E-parcours
-- indicators are checked quarter by quarter, as an error, by assert_every_catalogue_indicator_present_each_quarter.
{{ config(severity='warn') }}

select c.indicator_id
from {{ ref('ref_indicator_catalogue') }} as c
where c.programme = 'ESMS Numérique' and not c.retired and c.computation <> 'retired'
  and c.indicator_id not in (select distinct indicator_id from {{ ref('indicator_results') }})
  and exists (select 1 from {{ ref('stg_dui__esms_projets') }})
