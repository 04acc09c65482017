-- Projets personnalisés, monthly snapshot, one row per ESMS x projet and month, typed.
with source as (
    select * from {{ source('dui', 'dui_projets') }}
),

cleaned as (
    select
        {{ delivery_month() }} as file_month,
        {{ clean_text('finess_geo') }} as finess_geo,
        {{ clean_text('dossier_id') }} as dossier_id,
        {{ clean_text('projet_id') }} as projet_id,
        {{ parse_ts('created_at') }} as created_at,
        {{ local_date('created_at') }} as created_at_date,
        {{ parse_ts('last_updated_at') }} as last_updated_at,
        {{ local_date('last_updated_at') }} as last_updated_at_date,
        {{ parse_date('date_debut') }} as date_debut,
        {{ parse_date('date_fin') }} as date_fin,
        {{ clean_text('statut') }} as statut,
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
