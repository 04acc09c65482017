-- Coordination dossiers, monthly snapshot, one row per dossier and month, typed.
-- ins: the keyed hash of the INS (HMAC-SHA-256, pseudonymised at the
-- ingestion: dagster_project/privacy.py); ins_valid: the INS had a valid NIR key (an invalid INS is kept: the dossier stays in every
-- denominator and only fails EP-INS and the INS match of EP-4.2).
with source as (
    select * from {{ source('coordination', 'coord_dossiers') }}
),

cleaned as (
    select
        {{ delivery_month() }} as file_month,
        dossier_id,
        structure_id,
        usager_id,
        ins,
        ins_valid,
        ins_statut,
        date_demande,
        date_ouverture,
        date_cloture,
        {{ lineage_columns() }}
    from source
)

select
    file_month,
    last_day(file_month) as snapshot_month_end,
    dossier_id,
    structure_id,
    usager_id,
    ins,
    ins_valid,
    ins_statut,
    date_demande,
    date_ouverture,
    date_cloture,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
