{{ indicator_config() }}
-- EP-5.2, region: number of days between the latest MSSanté directory extraction (annuaire snapshot) on or
-- before D and D. numerator = value = days; denominator empty; met when <= 183 days; no snapshot on or
-- before D -> no_data (numerator null).
with latest as (
    select m.measure_date, max(a.snapshot_date) as snapshot_date
    from {{ ref('int_measure_dates') }} as m
    left join (select distinct snapshot_date from {{ ref('stg_mss__annuaire_mssante') }}) as a
        on a.snapshot_date <= m.measure_date
    group by 1
),

rows as (
    select
        measure_date,
        'region' as scope_type,
        (select region_code from {{ ref('int_region') }}) as scope_id,
        cast(null as varchar) as subgroup,
        date_diff('day', snapshot_date, measure_date) as numerator,
        cast(null as bigint) as denominator
    from latest
)

{{ indicator_rows('EP-5.2', 'rows', region_rows=false) }}
