-- Declarative E-parcours indicators with their evidence, dated snapshots, one row per indicator x
-- measure date and snapshot. valeur O/N becomes a boolean.
with source as (
    select * from {{ source('declaratif', 'declaratif') }}
)

select
    {{ delivery_date() }} as snapshot_date,
    indicateur,
    date_mesure,
    {{ parse_yn('valeur') }} as valeur,
    justificatif,
    commentaire,
    {{ lineage_columns() }}
from source
