-- The landing folder as the last ingestion saw it.
select
    file_name,
    source,
    known_source,
    table_name,
    delivery_key,
    version,
    file_size,
    role,
    reason,
    seen_at
from {{ source('ingestion', 'landing_inventory') }}
