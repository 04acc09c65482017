-- The quarantine as it may be published (published/quarantine_report.csv, the dashboard's quality page): every
-- quarantined row or flagged value of the deliveries in force, with file, line, column, rule and reason, and
-- nothing that identifies a person, by construction:
--   - an INS is never in the warehouse in clear (pseudonymised at the ingestion); in the quarantine its value and
--     the reason quoting it are masked (first two characters and length: 23…(15));
--   - a broken line (a row the CSV reader could not split: no column) is not published at all: the working
--     quarantine (raw.quarantine, owner-readable only) keeps it, NIRs masked, for the engineer who fixes the file.
{{ config(materialized='table') }}

select
    q.source,
    q.table_name,
    q.file_name,
    q.file_sha256,
    q.line_number,
    q.column_name,
    case when q.column_name is null then null else q.value end as value,
    q.rule,
    q.reason,
    q.severity,
    q.delivery_key
from {{ ref('stg_ingestion__quarantine') }} as q
join {{ ref('stg_ingestion__current_deliveries') }} as c
  on c.table_name = q.table_name and c.file_sha256 = q.file_sha256
