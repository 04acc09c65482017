-- DMP alimentés by each ESMS in force at D, in the MSS/DMP window (the N months ending at D, both ends
-- inclusive; int_esms_measure_windows): one row per ESMS x patient (numerator of ESMS-DMP; rulebook; doc 003 Q61
-- « On compte un DMP alimenté quel que soit le nombre de documents importés dans ce DMP »).
--   authored by the ESMS  author_finess = the FINESS géographique of the ESMS
--   status                not DELETED (APPROVED and DEPRECATED = replaced by a newer version count)
--   in the window         the calendar date written in submitted_at, whatever month file carries it
--   patient               the INS of the document (distinct patient_ins; a document without INS cannot name a DMP
--                         and is left out). An INS with a wrong key is kept and counted: the rulebook ("invalid
--                         INS") lets an invalid key fail only EP-INS and the INS match of EP-4.2
--   every patient         of the ESMS counts, not only people of the denominator (rulebook "ESMS-MSS / ESMS-DMP")
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

select
    w.measure_date,
    e.finess_geo,
    doc.patient_ins,
    bool_and(doc.patient_ins_valid) as patient_ins_valid,
    count(distinct doc.document_id) as n_documents,
    min(doc.submitted_at_date) as first_submitted_at_date,
    max(doc.submitted_at_date) as last_submitted_at_date
from {{ ref('int_esms_measure_windows') }} as w
join {{ ref('int_esms_in_force_at_measure_date') }} as e using (measure_date)
join {{ ref('stg_dmp__documents') }} as doc
    on doc.author_finess = e.finess_geo
   and doc.submitted_at_date between w.window_start and w.window_end
where doc.status <> 'DELETED'
  and doc.patient_ins is not null
group by 1, 2, 3
