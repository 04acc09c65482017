-- ROR contacts of each UE, one row per contact line and snapshot, trimmed.
with source as (
    select * from {{ source('ror', 'ror_ue_contact') }}
)

select
    {{ delivery_date() }} as snapshot_date,
    {{ clean_text('id_ue') }} as id_ue,
    {{ clean_text('fonction_contact') }} as fonction_contact,
    {{ clean_text('nature_contact') }} as nature_contact,
    {{ clean_text('canal') }} as canal,
    {{ clean_text('adresse_telecom') }} as adresse_telecom,
    {{ clean_text('niveau_confidentialite') }} as niveau_confidentialite,
    {{ lineage_columns() }}
from source
