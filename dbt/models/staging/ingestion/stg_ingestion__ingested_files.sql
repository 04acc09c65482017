-- One row per landing file the ingestion saw (loaded, replaced by a later delivery, refused or superseded),
-- with its physical-line accounting.
select
    table_name,
    source,
    delivery_key,
    file_name,
    file_sha256,
    file_size,
    file_mtime_ns,
    file_ctime_ns,
    version,
    encoding,
    physical_lines,
    blank_lines,
    other_lines,
    rows_loaded,
    rows_rejected,
    values_flagged,
    reader,
    status,
    message,
    ingested_at
from {{ source('ingestion', 'ingested_files') }}
