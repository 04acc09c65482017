-- Messages sent via the MSSanté by each ESMS in force at D, in the MSS/DMP window (the N months ending at D,
-- both ends inclusive; int_esms_measure_windows): one row per ESMS x message (numerator of ESMS-MSS; rulebook;
-- doc 003 Q60).
--   sent by the ESMS  sender_finess = the FINESS géographique of the ESMS (« La source de données doit
--                     obligatoirement inclure le code FINeSS géographique de l'ESSMS concerné »), whatever the
--                     mailbox type (personal, organisational, applicative)
--   sent              delivery_status not FAILED (FAILED = refused before sending); BOUNCED was sent and counts
--   in the window     the calendar date written in sent_at, whatever month file carries it
--   every message     of the ESMS counts, not only messages about people of the denominator (rulebook
--                     "ESMS-MSS / ESMS-DMP"; doc 003 says « sur la population de référence »: overridden). Messages
--                     to patients (Mon espace santé) count (« Les messages envoyés à la messagerie sécurisée
--                     citoyenne sont pris en compte »). A message is counted once per message_id.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

select
    w.measure_date,
    e.finess_geo,
    msg.message_id,
    min(msg.sent_at) as sent_at,
    min(msg.sent_at_date) as sent_at_date,
    min(msg.delivery_status) as delivery_status,
    min(msg.sender_bal_type) as sender_bal_type
from {{ ref('int_esms_measure_windows') }} as w
join {{ ref('int_esms_in_force_at_measure_date') }} as e using (measure_date)
join {{ ref('stg_mss__messages') }} as msg
    on msg.sender_finess = e.finess_geo
   and msg.sent_at_date between w.window_start and w.window_end
where msg.delivery_status <> 'FAILED'
group by 1, 2, 3
