-- Activités de soins soumises à autorisation (FINESS XSD cs1400103 field names), one row per
-- authorisation line and snapshot, typed. The champ (MCO, SSR, PSY, HAD) is derived downstream.
with source as (
    select * from {{ source('finess', 'finess_autorisations') }}
),

cleaned as (
    select
        {{ delivery_date() }} as snapshot_date,
        nofinessej,
        nofinesset,
        activite,
        libactivite,
        modalite,
        libmodalite,
        forme,
        libforme,
        noautor,
        dateautor,
        datemeo,
        datefin,
        {{ lineage_columns() }}
    from source
)

select
    snapshot_date,
    nofinessej,
    nofinesset,
    activite,
    libactivite,
    modalite,
    libmodalite,
    forme,
    libforme,
    noautor,
    dateautor,
    datemeo,
    datefin,
    {{ is_valid_finess('nofinessej') }} as nofinessej_valid,
    {{ is_valid_finess('nofinesset') }} as nofinesset_valid,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
