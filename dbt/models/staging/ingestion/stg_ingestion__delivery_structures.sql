-- Rows of each loaded delivery per structure.
select
    table_name,
    delivery_key,
    file_sha256,
    structure_reference,
    structure_id,
    rows_loaded
from {{ source('ingestion', 'delivery_structures') }}
