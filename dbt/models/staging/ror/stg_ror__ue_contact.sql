-- ROR contacts of each UE, one row per contact line and snapshot, trimmed.
with source as (
    select * from {{ source('ror', 'ror_ue_contact') }}
)

select
    {{ delivery_date() }} as snapshot_date,
    id_ue,
    fonction_contact,
    nature_contact,
    canal,
    adresse_telecom,
    niveau_confidentialite,
    {{ lineage_columns() }}
from source
