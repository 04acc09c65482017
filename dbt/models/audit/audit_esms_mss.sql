{{ indicator_config() }}
-- Auditors' trail of ESMS-MSS (ind_esms_mss, macro esms_window_indicator): per ESMS in force,
--   numerator    one row per message of int_esms_mss_messages_in_window (unit `message`, unit_id the message id):
--                MSS_ENVOYE (DELIVERED) or MSS_NON_DISTRIBUE (BOUNCED: sent, so counted), in_numerator only
--                (every message of the ESMS counts, not only messages about people of the denominator); evidence =
--                the row of stg_mss__messages with that id, sender FINESS, date and status (first file and line)
--   denominator  one row per DUI actif with a valid projet personnalisé (unit `dui`, has_valid_pp of
--                int_dui_actifs_at_measure_date): DUI_AVEC_PP, in_denominator only; evidence = the valid projet
--                (macro audit_esms_projet_evidence)
with dates as (
    select measure_date from {{ ref('int_measure_dates') }}
),

actifs as (
    {{ audit_esms_dui_actifs() }}
),

projets as (
    {{ audit_esms_projet_evidence() }}
),

messages as (
    select
        m.measure_date, m.finess_geo, m.message_id, m.delivery_status, m.sent_at_date,
        s._file_name, s._file_sha256, s._line_number
    from {{ ref('int_esms_mss_messages_in_window') }} as m
    join {{ ref('int_esms_in_force_at_measure_date') }} as e using (measure_date, finess_geo)
    left join {{ ref('stg_mss__messages') }} as s
        on s.message_id = m.message_id
       and s.sender_finess = m.finess_geo
       and s.sent_at_date = m.sent_at_date
       and s.delivery_status = m.delivery_status
    where m.measure_date in (select measure_date from dates)
    qualify row_number() over (
        partition by m.measure_date, m.finess_geo, m.message_id order by s._file_name, s._line_number
    ) = 1
),

rows as (
    select
        measure_date, finess_geo, 'message' as unit, message_id as unit_id,
        false as in_denominator, true as in_numerator,
        case when delivery_status = 'BOUNCED' then 'MSS_NON_DISTRIBUE' else 'MSS_ENVOYE' end as reason_code,
        'message' as evidence_kind, message_id as evidence_id, sent_at_date as evidence_date,
        _file_name as evidence_file, _file_sha256 as evidence_sha256, _line_number as evidence_line
    from messages
    union all
    select
        a.measure_date, a.finess_geo, 'dui', a.dossier_id,
        true, false, 'DUI_AVEC_PP',
        'projet', p.projet_id, p.evidence_date, p._file_name, p._file_sha256, p._line_number
    from actifs as a
    left join projets as p using (measure_date, finess_geo, dossier_id)
    where a.has_valid_pp
)

{{ audit_esms_select('ESMS-MSS', 'rows') }}
