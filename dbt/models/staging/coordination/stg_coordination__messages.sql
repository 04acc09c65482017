-- Messages posted in the coordination tool, one row per message (monthly files), typed.
-- dossier_id is empty for a thematic conversation of the professional network (CPTS).
with source as (
    select * from {{ source('coordination', 'coord_messages') }}
)

select
    {{ delivery_month() }} as file_month,
    message_id,
    structure_id,
    dossier_id,
    author_id,
    posted_at,
    posted_at_local_date as posted_at_date,
    {{ lineage_columns() }}
from source
