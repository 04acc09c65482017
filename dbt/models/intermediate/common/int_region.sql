-- The region of the ARS running the warehouse (INSEE region code): EPARCOURS_REGION when set, else the
-- code_region most ROR entities carry (the ROR extract is regional).
with from_ror as (
    select code_region, count(*) as n
    from {{ ref('stg_ror__eg') }}
    where code_region is not null
    group by 1
    order by n desc, code_region
    limit 1
)

select coalesce(nullif('{{ env_var("EPARCOURS_REGION", "") }}', ''), (select code_region from from_ror)) as region_code
