{{ indicator_config() }}
-- EP-5.2, region: number of days between the latest MSSanté directory extraction (annuaire snapshot) on or
-- before D and D. numerator = value = days; denominator empty; met when <= 183 days; no snapshot on or
-- before D -> no_data (numerator null).
with latest as (
    {{ snapshot_in_force('stg_mss__annuaire_mssante', keep_dates_without_snapshot=true) }}
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
