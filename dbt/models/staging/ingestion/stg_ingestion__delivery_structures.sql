-- Rows and independent units (distinct dossiers) of each loaded delivery per structure, with the span of its
-- event dates (event tables).
--   measured by the ingestion  tables whose rows name their structure (finess_geo, sender_finess, author_finess,
--                              structure_id)
--   through the dossier        coord_evenements and coord_equipe name only the dossier: its structure is the
--                              structure_id of the dossier in the latest coord_dossiers snapshot that lists it (a
--                              dossier never listed has no structure and is left out). Without this, a month of
--                              events missing its largest DAC passes whenever the table's volume spread is wide.
-- A table, not a view: the gate's models read it several times and the through-dossier part scans raw tables.
{{ config(materialized='table') }}

with measured as (
    select
        table_name,
        delivery_key,
        file_sha256,
        structure_reference,
        structure_id,
        rows_loaded,
        coalesce(units, rows_loaded) as units,  -- NULL for deliveries ingested before the column existed
        first_date,
        last_date
    from {{ source('ingestion', 'delivery_structures') }}
),

dossier_structure as (
    select dossier_id, arg_max(structure_id, _delivery_key) as structure_id
    from {{ source('coordination', 'coord_dossiers') }}
    group by dossier_id
),

events as (
    select 'coord_evenements' as table_name, e._delivery_key as delivery_key, e._file_sha256 as file_sha256,
           'coordination' as structure_reference, d.structure_id, count(*) as rows_loaded,
           count(distinct e.dossier_id) as units, min(e.event_at_local_date) as first_date,
           max(e.event_at_local_date) as last_date
    from {{ source('coordination', 'coord_evenements') }} as e
    join dossier_structure as d using (dossier_id)
    group by all
),

teams as (
    select 'coord_equipe' as table_name, t._delivery_key as delivery_key, t._file_sha256 as file_sha256,
           'coordination' as structure_reference, d.structure_id, count(*) as rows_loaded,
           count(distinct t.dossier_id) as units, cast(null as date) as first_date, cast(null as date) as last_date
    from {{ source('coordination', 'coord_equipe') }} as t
    join dossier_structure as d using (dossier_id)
    group by all
)

select * from measured
union all select * from events
union all select * from teams
