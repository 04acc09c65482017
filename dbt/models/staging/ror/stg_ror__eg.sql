-- ROR entités géographiques, one row per EG and snapshot, typed and flagged.
with source as (
    select * from {{ source('ror', 'ror_eg') }}
),

cleaned as (
    select
        {{ delivery_date() }} as snapshot_date,
        id_eg,
        finess_eg,
        finess_ej,
        raison_sociale,
        categorie_eg,
        code_region,
        date_fermeture_definitive,
        {{ lineage_columns() }}
    from source
)

select
    snapshot_date,
    id_eg,
    finess_eg,
    finess_ej,
    raison_sociale,
    categorie_eg,
    code_region,
    date_fermeture_definitive,
    {{ is_valid_finess('finess_eg') }} as finess_eg_valid,
    {{ is_valid_finess('finess_ej') }} as finess_ej_valid,
    {{ in_code_list('categorie_eg', 'ref_tre_r66_categorie_etablissement') }} as categorie_eg_in_list,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
