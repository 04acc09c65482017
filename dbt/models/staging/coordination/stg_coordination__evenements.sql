-- Coordination dossier events, one row per event (monthly files), typed.
with source as (
    select * from {{ source('coordination', 'coord_evenements') }}
)

select
    {{ delivery_month() }} as file_month,
    event_id,
    dossier_id,
    event_at,
    event_at_local_date as event_at_date,
    event_type,
    evaluation_type,
    actor_id,
    {{ lineage_columns() }}
from source
