-- FINESS geolocation (etalab stock, `geolocalisation` lines), one row per EG and snapshot, typed.
-- Coordinates are kept in the projection the file states in `sourcecoordet` (Lambert 93 in
-- metropolitan France, local projections overseas).
with source as (
    select * from {{ source('finess', 'finess_geolocalisation') }}
),

cleaned as (
    select
        {{ delivery_date() }} as snapshot_date,
        nofinesset,
        coordxet,
        coordyet,
        sourcecoordet,
        datemaj,
        {{ lineage_columns() }}
    from source
)

select
    snapshot_date,
    nofinesset,
    coordxet,
    coordyet,
    sourcecoordet,
    datemaj,
    {{ is_valid_finess('nofinesset') }} as nofinesset_valid,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
