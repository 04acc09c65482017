-- MSSanté operator log, one row per message (one monthly file per month of sending), typed.
-- sent_at is the instant (TIMESTAMPTZ); sent_at_date the calendar date written in the timestamp.
with source as (
    select * from {{ source('mss', 'mss_messages') }}
),

cleaned as (
    select
        {{ delivery_month() }} as file_month,
        message_id,
        sent_at,
        sent_at_local_date as sent_at_date,
        sender_bal,
        sender_bal_type,
        sender_finess,
        cast(recipient_count as integer) as recipient_count,
        recipient_classes,
        {{ split_list('recipient_classes') }} as recipient_class_list,
        {{ parse_yn('x_mss_ins') }} as x_mss_ins,
        x_mss_codecda,
        {{ split_list('x_mss_codecda') }} as x_mss_codecda_list,
        size_bytes,
        cast(attachments as integer) as attachments,
        delivery_status,
        {{ lineage_columns() }}
    from source
)

select
    file_month,
    message_id,
    sent_at,
    sent_at_date,
    sender_bal,
    sender_bal_type,
    sender_finess,
    {{ is_valid_finess('sender_finess') }} as sender_finess_valid,
    recipient_count,
    recipient_classes,
    recipient_class_list,
    x_mss_ins,
    x_mss_codecda,
    x_mss_codecda_list,
    size_bytes,
    attachments,
    delivery_status,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
