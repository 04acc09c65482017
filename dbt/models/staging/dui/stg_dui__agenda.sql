-- DUI agenda entries, one row per entry (monthly files), typed.
with source as (
    select * from {{ source('dui', 'dui_agenda') }}
),

cleaned as (
    select
        {{ delivery_month() }} as file_month,
        finess_geo,
        dossier_id,
        agenda_id,
        start_at,
        start_at_local_date as start_at_date,
        cast(duree_minutes as integer) as duree_minutes,
        nature,
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
