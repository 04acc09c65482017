-- Per delivery of every table whose rows belong to a structure (FINESS géographique or structure_id), the
-- structures that are missing from it although they delivered rows in each of the previous 12 deliveries
-- (at least 3), at a recent level of at least 10 dossiers (median of the last 3 deliveries, never fewer than 5 in
-- any of them; rows for a table without dossier_id). Dossiers, not rows, are the independent units: the rows of a
-- dossier in use come together, so a structure with 12 agenda rows from 2 dossiers has empty months by chance,
-- one with 10 dossiers does not (the chance is below 1 in 20,000: e^-10 for Poisson counts; a structure with 2 a
-- month misses a month one time in seven). A growing structure is judged on its recent level, not on its first
-- small months. A tiny delivery of a table whose history already has tiny ones expects no structure.
-- and are still in force: the signature of a partial extract. A structure that closed leaves
-- its reference snapshot (the FINESS stock or the ESMS Numérique projects for a FINESS, coord_structures for
-- a structure_id) and is not expected any more; when no reference snapshot exists yet, it is expected.
-- One row per delivery:
--   regular_structures        structures present in each delivery of the window
--   missing_structures        of those, absent from this delivery and still in force
--   missing_volume_share      their recent level (median of the last 3 deliveries) / the table's: how much of
--                             the table a partial extract lost (one large structure missing shows here)
--   missing_examples          up to 10 of them, largest first
{{ config(materialized='table') }}

with counts as (
    select table_name, delivery_key, structure_reference, structure_id, rows_loaded, units
    from {{ ref('stg_ingestion__delivery_structures') }}
),

deliveries as (
    select d.table_name, d.delivery_key, d.delivery_end, d.rows_loaded as table_rows,
           row_number() over (partition by d.table_name order by d.delivery_key) as seq
    from {{ ref('stg_ingestion__current_deliveries') }} as d
    where d.status = 'loaded' and d.table_name in (select distinct table_name from counts)
),

grid as (
    select d.table_name, d.delivery_key, d.delivery_end, d.seq, d.table_rows, s.structure_id, s.structure_reference,
           coalesce(c.rows_loaded, 0) as rows_loaded, coalesce(c.units, 0) as units
    from deliveries as d
    join (select distinct table_name, structure_id, structure_reference from counts) as s using (table_name)
    left join counts as c using (table_name, delivery_key, structure_id)
),

windowed as (
    select
        *,
        count(*) over w as history_n,
        count(*) filter (where rows_loaded > 0) over w as history_present,
        median(rows_loaded) over w3 as history_median_rows,
        median(units) over w3 as history_median_units,
        min(units) over w3 as history_min_units,
        median(table_rows) over w3 as history_median_table_rows,
        -- the table's own history (12 previous deliveries): whether it already had a tiny or empty delivery
        min(table_rows) over wt as history_min_table_rows,
        median(table_rows) over wt as history_median_table_rows_12
    from grid
    window w as (partition by table_name, structure_id order by seq rows between 12 preceding and 1 preceding),
           w3 as (partition by table_name, structure_id order by seq rows between 3 preceding and 1 preceding),
           wt as (partition by table_name, structure_id order by seq rows between 12 preceding and 1 preceding)
),

-- the reference snapshot in force at each delivery (the latest on or before its end), one row per delivery; a
-- structure is in force when that snapshot lists it (an equi-join of the grid on the snapshot's list: the list of
-- every delivery crossed with every structure in force was 2.4 M rows and 10 s at region scale)
reference_snapshots as (
    select d.table_name, d.delivery_key,
           (select max(snapshot_date) from {{ ref('stg_finess__structures') }}
            where snapshot_date <= d.delivery_end) as finess_date,
           (select max(snapshot_date) from {{ ref('stg_dui__esms_projets') }}
            where snapshot_date <= d.delivery_end) as projets_date,
           (select max(snapshot_date) from {{ ref('stg_coordination__structures') }}
            where snapshot_date <= d.delivery_end) as coordination_date
    from deliveries as d
),

finess_listed as (
    select distinct snapshot_date, nofinesset as structure_id from {{ ref('stg_finess__structures') }}
),

projets_listed as (
    select distinct snapshot_date, finess_geo as structure_id from {{ ref('stg_dui__esms_projets') }}
),

coordination_listed as (
    select distinct snapshot_date, structure_id from {{ ref('stg_coordination__structures') }}
),

judged as (
    select
        w.*,
        w.history_n >= 3 and w.history_present = w.history_n and w.history_median_units >= 10
            and w.history_min_units >= 5
            -- a tiny or empty delivery of a table whose history already has tiny or empty ones (a feed used in
            -- campaigns) is the table's shape, judged (and not refused) by the volume rules: no structure is
            -- expected in it
            and not (w.history_min_table_rows <= 0.1 * w.history_median_table_rows_12
                     and w.table_rows <= greatest(w.history_min_table_rows, 0.1 * w.history_median_table_rows_12))
            as is_regular,
        case w.structure_reference
            when 'finess' then (k.finess_date is null and k.projets_date is null)
                               or f.structure_id is not null or p.structure_id is not null
            when 'coordination' then k.coordination_date is null or c.structure_id is not null
            else true
        end as in_force
    from windowed as w
    join reference_snapshots as k using (table_name, delivery_key)
    left join finess_listed as f on f.snapshot_date = k.finess_date and f.structure_id = w.structure_id
    left join projets_listed as p on p.snapshot_date = k.projets_date and p.structure_id = w.structure_id
    left join coordination_listed as c on c.snapshot_date = k.coordination_date and c.structure_id = w.structure_id
),

missing as (
    select * from judged where is_regular and in_force and rows_loaded = 0
)

select
    d.table_name,
    d.delivery_key,
    count(j.structure_id) filter (where j.is_regular and j.in_force) as regular_structures,
    count(m.structure_id) as missing_structures,
    count(m.structure_id) / nullif(count(j.structure_id) filter (where j.is_regular and j.in_force), 0)
        as missing_structures_share,
    coalesce(sum(m.history_median_rows) / nullif(any_value(m.history_median_table_rows), 0), 0)
        as missing_volume_share,
    array_to_string(list_slice(list(m.structure_id || ' (' || cast(m.history_median_rows as bigint)
                                    || ' rows/delivery)' order by m.history_median_rows desc), 1, 10), ', ')
        as missing_examples
from deliveries as d
left join judged as j using (table_name, delivery_key)
left join missing as m on m.table_name = j.table_name and m.delivery_key = j.delivery_key
                      and m.structure_id = j.structure_id
group by d.table_name, d.delivery_key
