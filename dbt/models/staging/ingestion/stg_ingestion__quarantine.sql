-- Values and rows the ingestion quarantined (rejected rows, flagged values, refused files), as the
-- ingestion wrote them; exposed for the quality reports.
select
    source,
    table_name,
    file_name,
    file_sha256,
    line_number,
    column_name,
    value,
    rule,
    reason,
    severity,
    delivery_key,
    ingested_at
from {{ source('ingestion', 'quarantine') }}
