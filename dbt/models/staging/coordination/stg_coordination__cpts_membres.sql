-- CPTS members, dated snapshots, one row per membership line and snapshot.
with source as (
    select * from {{ source('coordination', 'cpts_membres') }}
)

select
    {{ delivery_date() }} as snapshot_date,
    {{ clean_text('structure_id') }} as structure_id,
    {{ clean_text('professionnel_id') }} as professionnel_id,
    {{ clean_text('profession') }} as profession,
    {{ parse_date('date_adhesion') }} as date_adhesion,
    {{ parse_date('date_fin') }} as date_fin,
    {{ lineage_columns() }}
from source
