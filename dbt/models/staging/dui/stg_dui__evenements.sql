-- DUI events (audit trail of the DUI software), one row per event (monthly files), typed.
-- Which events are "updates" (business event by a UTILISATEUR) is decided downstream, not here.
with source as (
    select * from {{ source('dui', 'dui_evenements') }}
),

cleaned as (
    select
        {{ delivery_month() }} as file_month,
        finess_geo,
        dossier_id,
        event_id,
        event_at,
        event_at_local_date as event_at_date,
        event_type,
        actor_type,
        actor_id,
        {{ lineage_columns() }}
    from source
)

select
    file_month,
    finess_geo,
    {{ is_valid_finess('finess_geo') }} as finess_geo_valid,
    dossier_id,
    event_id,
    event_at,
    event_at_date,
    event_type,
    actor_type,
    actor_id,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
