-- Care team of each coordination dossier, monthly snapshot, one row per team line and month.
with source as (
    select * from {{ source('coordination', 'coord_equipe') }}
),

cleaned as (
    select
        {{ delivery_month() }} as file_month,
        dossier_id,
        professionnel_id,
        profession,
        date_ajout,
        date_retrait,
        {{ lineage_columns() }}
    from source
)

select
    file_month,
    last_day(file_month) as snapshot_month_end,
    dossier_id,
    professionnel_id,
    profession,
    date_ajout,
    date_retrait,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
