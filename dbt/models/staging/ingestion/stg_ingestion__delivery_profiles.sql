-- Profile of each loaded delivery (rows, event dates, structures), as the ingestion measured it.
select
    table_name,
    delivery_key,
    file_sha256,
    rows_loaded,
    dated_rows,
    first_date,
    last_date,
    active_days,
    rows_in_month,
    structures
from {{ source('ingestion', 'delivery_profiles') }}
