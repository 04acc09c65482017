-- Rows and independent units (distinct dossiers) of each loaded delivery per structure.
select
    table_name,
    delivery_key,
    file_sha256,
    structure_reference,
    structure_id,
    rows_loaded,
    coalesce(units, rows_loaded) as units  -- NULL for deliveries ingested before the column existed
from {{ source('ingestion', 'delivery_structures') }}
