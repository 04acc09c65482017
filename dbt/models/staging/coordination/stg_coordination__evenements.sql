-- Coordination dossier events, one row per event (monthly files), typed.
with source as (
    select * from {{ source('coordination', 'coord_evenements') }}
)

select
    {{ delivery_month() }} as file_month,
    {{ clean_text('event_id') }} as event_id,
    {{ clean_text('dossier_id') }} as dossier_id,
    {{ parse_ts('event_at') }} as event_at,
    {{ local_date('event_at') }} as event_at_date,
    {{ clean_text('event_type') }} as event_type,
    {{ clean_text('evaluation_type') }} as evaluation_type,
    {{ clean_text('actor_id') }} as actor_id,
    {{ lineage_columns() }}
from source
