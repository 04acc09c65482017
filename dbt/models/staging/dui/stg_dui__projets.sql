-- Projets personnalisés, monthly snapshot, one row per ESMS x projet and month, typed.
with source as (
    select * from {{ source('dui', 'dui_projets') }}
),

cleaned as (
    select
        {{ delivery_month() }} as file_month,
        finess_geo,
        dossier_id,
        projet_id,
        created_at,
        created_at_local_date as created_at_date,
        last_updated_at,
        last_updated_at_local_date as last_updated_at_date,
        date_debut,
        date_fin,
        statut,
        {{ lineage_columns() }}
    from source
)

select
    file_month,
    last_day(file_month) as snapshot_month_end,
    finess_geo,
    {{ is_valid_finess('finess_geo') }} as finess_geo_valid,
    dossier_id,
    projet_id,
    created_at,
    created_at_date,
    last_updated_at,
    last_updated_at_date,
    date_debut,
    date_fin,
    statut,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
