-- DMP documents registered (XDS metadata), one row per document (one monthly file per month of
-- submission), typed. patient_ins_valid: the INS has a valid NIR key (an invalid INS is kept, flagged).
with source as (
    select * from {{ source('dmp', 'dmp_documents') }}
),

cleaned as (
    select
        {{ delivery_month() }} as file_month,
        {{ clean_text('document_id') }} as document_id,
        {{ parse_ts('submitted_at') }} as submitted_at,
        {{ local_date('submitted_at') }} as submitted_at_date,
        {{ clean_text('patient_ins') }} as patient_ins,
        {{ clean_text('ins_oid') }} as ins_oid,
        {{ clean_text('type_code') }} as type_code,
        {{ clean_text('format_code') }} as format_code,
        {{ clean_text('class_code') }} as class_code,
        {{ clean_text('author_finess') }} as author_finess,
        {{ clean_text('author_rpps') }} as author_rpps,
        {{ clean_text('author_system') }} as author_system,
        {{ clean_text('status') }} as status,
        {{ lineage_columns() }}
    from source
)

select
    file_month,
    document_id,
    submitted_at,
    submitted_at_date,
    patient_ins,
    {{ is_valid_ins('patient_ins') }} as patient_ins_valid,
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
