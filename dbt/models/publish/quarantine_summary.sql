-- publish.quarantine_summary: the quarantined lines of the deliveries in force (loaded or refused files), one row
-- per source, table, file, rule and severity, with the rule and the severity in French (seed ref_labels) beside
-- their codes, the first line and an example reason (the value of an identifier only masked: ingestion).
select
    q.source,
    q.table_name,
    q.file_name,
    q.rule,
    q.severity,
    count(*) as n_rows,
    min(q.line_number) as first_line,
    any_value(q.reason) as example_reason,
    any_value(q.column_name) as example_column,
    {{ label_of('rule', 'q.rule') }} as rule_label,
    {{ label_of('severity', 'q.severity') }} as severity_label
from {{ source('ingestion', 'quarantine') }} as q
where q.file_sha256 in (
    select file_sha256 from {{ source('ingestion', 'ingested_files') }} where status in ('loaded', 'refused'))
group by q.source, q.table_name, q.file_name, q.rule, q.severity
