-- ESMS file active by year (ARS reference file, dated snapshots), one row per ESMS x year and snapshot.
-- file_active = effectif_31_12 + sorties_definitives is computed downstream with the indicator.
with source as (
    select * from {{ source('dui', 'esms_file_active') }}
),

cleaned as (
    select
        {{ delivery_date() }} as snapshot_date,
        finess_geo,
        cast(annee as integer) as annee,
        cast(effectif_31_12 as integer) as effectif_31_12,
        cast(sorties_definitives as integer) as sorties_definitives,
        {{ parse_yn('atypique') }} as atypique,
        {{ lineage_columns() }}
    from source
)

select
    snapshot_date,
    finess_geo,
    {{ is_valid_finess('finess_geo') }} as finess_geo_valid,
    annee,
    effectif_31_12,
    sorties_definitives,
    atypique,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
