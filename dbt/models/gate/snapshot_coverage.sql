-- Does a reference snapshot still list the entities that keep delivering? One row per snapshot delivery of
-- coord_structures (structure_id), finess_structures (nofinesset), esms_projets and ror_eg (FINESS géographique).
-- An entity is expected in the snapshot dated S when
--   - the previous snapshot of the same table listed it (a new structure is never expected before it is listed), and
--   - it is active on both sides of S in the monthly event tables: rows dated within the 31 days before S and
--     rows dated within the 31 days from S (coord_evenements through the dossier and coord_messages for a
--     structure_id; dui_evenements, dui_agenda, mss_messages, dmp_documents for a FINESS).
-- A structure that really closes stops delivering too and is not expected; one still active but no longer
-- listed loses its indicator rows (a DAC absent from coord_structures gets none): a snapshot that lost a share
-- of them is a partial extract. Activity after S is only known once the month after S is delivered: until then
-- nothing is expected (lenient, never a false refusal). Columns:
--   previous_key        the previous snapshot of the table
--   active_expected     entities of the previous snapshot active on both sides of S
--   active_missing      of those, not in this snapshot
--   active_missing_share active_missing / active_expected
--   missing_examples    up to 10 of them
{{ config(materialized='table') }}

with snapshots as (
    select table_name, delivery_key, delivery_start as snapshot_date, file_name,
           lag(delivery_key) over (partition by table_name order by delivery_start) as previous_key,
           case when table_name = 'coord_structures' then 'coordination' else 'finess' end as reference
    from {{ ref('stg_ingestion__current_deliveries') }}
    where status = 'loaded' and not is_monthly
      and table_name in ('coord_structures', 'finess_structures', 'esms_projets', 'ror_eg')
),

members as (
    select distinct 'coord_structures' as table_name, _delivery_key as delivery_key, structure_id as entity_id
    from {{ source('coordination', 'coord_structures') }}
    union all
    select distinct 'finess_structures', _delivery_key, nofinesset from {{ source('finess', 'finess_structures') }}
    union all
    select distinct 'esms_projets', _delivery_key, finess_geo from {{ source('dui', 'esms_projets') }}
    union all
    select distinct 'ror_eg', _delivery_key, finess_eg from {{ source('ror', 'ror_eg') }}
),

activity as (
    select structure_reference as reference, structure_id as entity_id, first_date, last_date
    from {{ ref('stg_ingestion__delivery_structures') }}
    where first_date is not null
),

expected as (
    select s.table_name, s.delivery_key, m.entity_id
    from snapshots as s
    join members as m on m.table_name = s.table_name and m.delivery_key = s.previous_key
    where exists (select 1 from activity as a
                  where a.reference = s.reference and a.entity_id = m.entity_id
                    and a.first_date < s.snapshot_date and a.last_date >= s.snapshot_date - 31)
      and exists (select 1 from activity as a
                  where a.reference = s.reference and a.entity_id = m.entity_id
                    and a.first_date <= s.snapshot_date + 31 and a.last_date >= s.snapshot_date)
),

judged as (
    select e.*, m.entity_id is null as is_missing
    from expected as e
    left join members as m on m.table_name = e.table_name and m.delivery_key = e.delivery_key
                           and m.entity_id = e.entity_id
)

select
    s.table_name,
    s.delivery_key,
    s.file_name,
    s.previous_key,
    count(j.entity_id) as active_expected,
    count(j.entity_id) filter (where j.is_missing) as active_missing,
    coalesce(count(j.entity_id) filter (where j.is_missing) / nullif(count(j.entity_id), 0), 0)
        as active_missing_share,
    array_to_string(list_slice(list(j.entity_id order by j.entity_id) filter (where j.is_missing), 1, 10), ', ')
        as missing_examples
from snapshots as s
left join judged as j using (table_name, delivery_key)
group by all
