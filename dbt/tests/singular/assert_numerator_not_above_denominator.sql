-- A failure means a published result counts in its numerator something its denominator does not contain (a dossier,
-- member or EG outside the population, a double count): a share above 100 % would be sent to the ARS and the CNSA.
-- Left out: EP-5.2 (a number of days, no denominator), the declaratives (no numerator) and the indicators the
-- rulebook lets exceed 100 % — ESMS-MSS and ESMS-DMP ("numerators count every message / every distinct patient of the
-- ESMS in the window, not only people of the denominator (both may exceed 100 %)").
-- ESMS-DUI-ACTIFS may exceed 100 % too: its denominator is not a list that contains the DUI actifs but the mean
-- file active of the three previous years (doc 003 « Moyenne de la file active sur les 3 dernières années »): a
-- growing ESMS has more dossiers updated this quarter than its past yearly mean (added by the ESMS Numérique work).
{% set may_exceed_denominator = ['EP-5.2', 'ESMS-MSS', 'ESMS-DMP', 'ESMS-DUI-ACTIFS'] %}

select
    r.indicator_id,
    r.measure_date,
    r.scope_type,
    r.scope_id,
    r.subgroup,
    r.numerator,
    r.denominator
from {{ ref('indicator_results') }} as r
join {{ ref('ref_indicator_catalogue') }} as c using (indicator_id)
where c.computation <> 'declarative'
  and r.indicator_id not in ('{{ may_exceed_denominator | join("', '") }}')
  and r.numerator > r.denominator
