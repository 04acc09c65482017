-- DAC and CPTS using the regional coordination tool, dated snapshots, one row per structure.
-- `type` of the extract is renamed structure_type; the O/N service flags become booleans.
with source as (
    select * from {{ source('coordination', 'coord_structures') }}
),

cleaned as (
    select
        {{ delivery_date() }} as snapshot_date,
        structure_id,
        finess,
        "type" as structure_type,
        nom,
        {{ parse_yn('reseau_social') }} as reseau_social,
        {{ parse_yn('dossier_coordination') }} as dossier_coordination,
        {{ lineage_columns() }}
    from source
)

select
    snapshot_date,
    structure_id,
    finess,
    {{ is_valid_finess('finess') }} as finess_valid,
    structure_type,
    nom,
    reseau_social,
    dossier_coordination,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
