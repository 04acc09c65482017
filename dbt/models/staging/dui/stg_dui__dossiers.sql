-- DUI dossiers, monthly snapshot (the file of a month lists every dossier at that month's end), one
-- row per ESMS x dossier and month. ins: the keyed hash of the INS (HMAC-SHA-256, pseudonymised at the
-- ingestion: dagster_project/privacy.py); ins_valid: the INS had a valid NIR key (invalid INS kept, flagged).
with source as (
    select * from {{ source('dui', 'dui_dossiers') }}
),

cleaned as (
    select
        {{ delivery_month() }} as file_month,
        finess_geo,
        dossier_id,
        usager_id,
        ins,
        ins_valid,
        date_admission,
        date_sortie,
        motif_sortie,
        {{ lineage_columns() }}
    from source
)

select
    file_month,
    last_day(file_month) as snapshot_month_end,
    finess_geo,
    {{ is_valid_finess('finess_geo') }} as finess_geo_valid,
    dossier_id,
    usager_id,
    ins,
    ins_valid,
    date_admission,
    date_sortie,
    motif_sortie,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
