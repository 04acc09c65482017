-- DMP documents registered (XDS metadata), one row per document (one monthly file per month of
-- submission), typed. patient_ins: the keyed hash of the INS (HMAC-SHA-256, pseudonymised at the
-- ingestion: dagster_project/privacy.py); patient_ins_valid: the INS had a valid NIR key (an invalid INS is kept, flagged).
with source as (
    select * from {{ source('dmp', 'dmp_documents') }}
),

cleaned as (
    select
        {{ delivery_month() }} as file_month,
        document_id,
        submitted_at,
        submitted_at_local_date as submitted_at_date,
        patient_ins,
        patient_ins_valid,
        ins_oid,
        type_code,
        format_code,
        class_code,
        author_finess,
        author_rpps,
        author_system,
        status,
        {{ lineage_columns() }}
    from source
)

select
    file_month,
    document_id,
    submitted_at,
    submitted_at_date,
    patient_ins,
    patient_ins_valid,
    ins_oid,
    type_code,
    {{ in_code_list('type_code', 'ref_jdv_j07_xds_type_code') }} as type_code_in_list,
    format_code,
    {{ in_code_list('format_code', 'ref_jdv_j10_xds_format_code') }} as format_code_in_list,
    class_code,
    author_finess,
    {{ is_valid_finess('author_finess') }} as author_finess_valid,
    author_rpps,
    {{ is_digits('author_rpps', 11) }} as author_rpps_valid,
    author_system,
    status,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
