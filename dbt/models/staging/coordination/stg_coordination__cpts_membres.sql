-- CPTS members, dated snapshots, one row per membership line and snapshot.
with source as (
    select * from {{ source('coordination', 'cpts_membres') }}
)

select
    {{ delivery_date() }} as snapshot_date,
    structure_id,
    professionnel_id,
    profession,
    date_adhesion,
    date_fin,
    {{ lineage_columns() }}
from source
