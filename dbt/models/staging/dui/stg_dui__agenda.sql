-- DUI agenda entries, one row per entry (monthly files), typed.
with source as (
    select * from {{ source('dui', 'dui_agenda') }}
),

cleaned as (
    select
        {{ delivery_month() }} as file_month,
        {{ clean_text('finess_geo') }} as finess_geo,
        {{ clean_text('dossier_id') }} as dossier_id,
        {{ clean_text('agenda_id') }} as agenda_id,
        {{ parse_ts('start_at') }} as start_at,
        {{ local_date('start_at') }} as start_at_date,
        {{ parse_int('duree_minutes') }} as duree_minutes,
        {{ clean_text('nature') }} as nature,
        {{ lineage_columns() }}
    from source
)

select
    file_month,
    finess_geo,
    {{ is_valid_finess('finess_geo') }} as finess_geo_valid,
    dossier_id,
    agenda_id,
    start_at,
    start_at_date,
    duree_minutes,
    nature,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
