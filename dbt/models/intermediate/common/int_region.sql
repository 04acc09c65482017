-- The region of the ARS running the warehouse (INSEE region code): EPARCOURS_REGION when set, else the
-- code_region most ROR entities carry (the ROR extract is regional), else — a region delivering the ESMS
-- Numérique extracts only — the FINESS region most ESMS of its ESMS Numérique projects are in (the FINESS
-- extract is national, the project list is the region's).
with from_ror as (
    select code_region, count(*) as n
    from {{ ref('stg_ror__eg') }}
    where code_region is not null
    group by 1
    order by n desc, code_region
    limit 1
),

from_esms as (
    select s.code_region, count(distinct p.finess_geo) as n
    from {{ ref('stg_dui__esms_projets') }} as p
    inner join {{ ref('stg_finess__structures') }} as s
        on s.nofinesset = p.finess_geo
    where s.code_region is not null
    group by 1
    order by n desc, s.code_region
    limit 1
)

select coalesce(
    nullif('{{ env_var("EPARCOURS_REGION", "") }}', ''),
    (select code_region from from_ror),
    (select code_region from from_esms)
) as region_code
