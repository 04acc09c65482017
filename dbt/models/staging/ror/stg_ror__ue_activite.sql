-- ROR activités opérationnelles of each UE (TRE_R211 codes), one row per UE x activité and snapshot.
-- activite_operationnelle_in_list: the code belongs to the ROR value set JDV_J17.
with source as (
    select * from {{ source('ror', 'ror_ue_activite') }}
),

cleaned as (
    select
        {{ delivery_date() }} as snapshot_date,
        id_ue,
        activite_operationnelle,
        {{ lineage_columns() }}
    from source
)

select
    snapshot_date,
    id_ue,
    activite_operationnelle,
    {{ in_code_list('activite_operationnelle', 'ref_jdv_j17_activite_operationnelle_ror') }}
        as activite_operationnelle_in_list,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
