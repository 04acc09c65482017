-- Messages posted in the coordination tool, one row per message (monthly files), typed.
-- dossier_id is empty for a thematic conversation of the professional network (CPTS).
with source as (
    select * from {{ source('coordination', 'coord_messages') }}
)

select
    {{ delivery_month() }} as file_month,
    {{ clean_text('message_id') }} as message_id,
    {{ clean_text('structure_id') }} as structure_id,
    {{ clean_text('dossier_id') }} as dossier_id,
    {{ clean_text('author_id') }} as author_id,
    {{ parse_ts('posted_at') }} as posted_at,
    {{ local_date('posted_at') }} as posted_at_date,
    {{ lineage_columns() }}
from source
