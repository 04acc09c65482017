-- ESMS Numérique funded projects (GALIS), dated snapshots, one row per ESMS of a project "grappe".
with source as (
    select * from {{ source('dui', 'esms_projets') }}
),

cleaned as (
    select
        {{ delivery_date() }} as snapshot_date,
        galis_ref,
        siret_porteur,
        finess_geo,
        raison_sociale,
        signataire_nom,
        signataire_qualite,
        {{ lineage_columns() }}
    from source
)

select
    snapshot_date,
    galis_ref,
    siret_porteur,
    finess_geo,
    {{ is_valid_finess('finess_geo') }} as finess_geo_valid,
    raison_sociale,
    signataire_nom,
    signataire_qualite,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
