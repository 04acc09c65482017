-- The deliveries in force: for each table and delivery key, the file whose rows are in the raw table
-- (status loaded) or the file that was refused whole (status refused: that delivery has no row). Every
-- "current delivery" question (quarantine of the current files, volumes, the manifest) reads this model.
select
    table_name,
    source,
    delivery_key,
    length(delivery_key) = 7 as is_monthly,
    case when length(delivery_key) = 7 then {{ delivery_month('delivery_key') }}
         else {{ delivery_date('delivery_key') }} end as delivery_start,
    case when length(delivery_key) = 7 then cast(last_day({{ delivery_month('delivery_key') }}) as date)
         else {{ delivery_date('delivery_key') }} end as delivery_end,
    file_name,
    file_sha256,
    file_size,
    encoding,
    physical_lines,
    rows_loaded,
    rows_rejected,
    values_flagged,
    reader,
    status,
    message,
    ingested_at
from {{ ref('stg_ingestion__ingested_files') }}
where status in ('loaded', 'refused')
