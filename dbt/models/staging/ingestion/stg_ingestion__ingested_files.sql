-- One row per landing file the ingestion saw (loaded, replaced by a later delivery, or refused).
select
    table_name,
    source,
    delivery_key,
    file_name,
    file_sha256,
    file_size,
    encoding,
    rows_loaded,
    rows_rejected,
    values_flagged,
    status,
    message,
    ingested_at
from {{ source('ingestion', 'ingested_files') }}
