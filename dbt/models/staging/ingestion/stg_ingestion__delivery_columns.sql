-- The identity of each column of each loaded delivery, as the ingestion measured it on the first 5,000 lines.
select
    table_name,
    delivery_key,
    file_sha256,
    column_name,
    sampled_rows,
    filled,
    distinct_values,
    top_shape,
    top_shape_rows,
    stored_type,
    column_rule,
    is_key
from {{ source('ingestion', 'delivery_columns') }}
