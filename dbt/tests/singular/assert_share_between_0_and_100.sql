-- A failure means a published percentage is below 0 % or above 100 % for an indicator whose numerator is a part of
-- its denominator: the figure sent to the ARS / CNSA is impossible (double-counted dossiers, a numerator taken from
-- another population, a rounding or unit error). Only the catalogue's percent indicators are checked (EP-5.2 is in
-- days, declaratives are O/N); ESMS-MSS and ESMS-DMP may exceed 100 % (rulebook: "`ESMS-MSS` may exceed 100 %";
-- "ESMS-MSS / ESMS-DMP … (both may exceed 100 %)").
-- ESMS-DUI-ACTIFS may exceed 100 % too: its denominator is not a list that contains the DUI actifs but the mean
-- file active of the three previous years (doc 003 « Moyenne de la file active sur les 3 dernières années »): a
-- growing ESMS has more dossiers updated this quarter than its past yearly mean (added by the ESMS Numérique work).
-- Which indicators may exceed 100 % is the catalogue's column may_exceed_100, read here and by the open-data schema.

select
    r.indicator_id,
    r.measure_date,
    r.scope_type,
    r.scope_id,
    r.subgroup,
    r.numerator,
    r.denominator,
    r.value
from {{ ref('indicator_results') }} as r
join {{ ref('ref_indicator_catalogue') }} as c using (indicator_id)
where c.unit = '%'
  and not c.may_exceed_100
  and r.value is not null
  and (r.value < 0 or r.value > 100)
