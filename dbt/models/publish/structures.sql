-- publish.structures: one row per structure that has a page (DAC and CPTS of the coordination tool's snapshots,
-- ESMS of the DUI project files): its name (the tool's, else FINESS raison sociale), FINESS category and
-- département of the latest FINESS snapshot, its GALIS project (ESMS) and the last snapshot that lists it.
with coord as (
    select finess, lower(structure_type) as scope_type, nom as name, max(snapshot_date) as last_seen,
           cast(null as varchar) as galis_ref
    from {{ ref('stg_coordination__structures') }}
    group by all
),

esms as (
    select finess_geo as finess, 'esms' as scope_type, raison_sociale as name, max(snapshot_date) as last_seen,
           any_value(galis_ref) as galis_ref
    from {{ ref('stg_dui__esms_projets') }}
    group by all
),

finess as (
    select nofinesset, rs, categetab, libcategetab, departement, code_region
    from {{ ref('stg_finess__structures') }}
    qualify row_number() over (partition by nofinesset order by snapshot_date desc) = 1
)

select
    s.finess,
    s.scope_type,
    coalesce(s.name, f.rs) as name,
    s.galis_ref,
    f.categetab,
    f.libcategetab,
    f.departement,
    f.code_region,
    s.last_seen,
    {{ label_of('scope_type', 's.scope_type') }} as scope_label
from (select * from coord union all by name select * from esms) as s
left join finess as f on f.nofinesset = s.finess
qualify row_number() over (partition by s.finess, s.scope_type order by s.last_seen desc) = 1
