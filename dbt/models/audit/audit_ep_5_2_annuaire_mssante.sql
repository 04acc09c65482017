{{ indicator_config() }}
-- Auditors' trail of EP-5.2 (ind_ep_5_2_annuaire_mssante), region: the numerator is a number of days, not a count,
-- so there is ONE row per measure date: the MSSanté directory snapshot in force (the latest on or before D, same
-- macro as the indicator), unit `annuaire`, unit_id its file, in_numerator true, in_denominator false (EP-5.2 has no
-- denominator); the evidence is that file (date = extraction date of its name, no line: the whole file proves it).
-- Tie-out: measure_date − evidence_date = the indicator's numerator in days. No snapshot on or before D: the row
-- says so (EP52_AUCUN_ANNUAIRE, no unit_id, no evidence), the indicator's numerator is NULL (no_data).
with latest as (
    {{ snapshot_in_force('stg_mss__annuaire_mssante', keep_dates_without_snapshot=true) }}
),

snapshot_file as (
    -- the file of each snapshot date (one per extraction date; the first by name should a date have two)
    select snapshot_date, _file_name, _file_sha256
    from {{ ref('stg_mss__annuaire_mssante') }}
    group by snapshot_date, _file_name, _file_sha256
    qualify row_number() over (partition by snapshot_date order by _file_name) = 1
)

select
    cast('EP-5.2' as varchar) as indicator_id,
    l.measure_date,
    cast('region' as varchar) as scope_type,
    cast((select region_code from {{ ref('int_region') }}) as varchar) as scope_id,
    cast(null as varchar) as subgroup,
    cast('annuaire' as varchar) as unit,
    cast(f._file_name as varchar) as unit_id,
    false as in_denominator,
    l.snapshot_date is not null as in_numerator,
    cast(case when l.snapshot_date is not null then 'EP52_ANNUAIRE' else 'EP52_AUCUN_ANNUAIRE' end as varchar)
        as reason_code,
    cast(case when l.snapshot_date is not null then 'snapshot' end as varchar) as evidence_kind,
    cast(f._file_name as varchar) as evidence_id,
    cast(l.snapshot_date as date) as evidence_date,
    cast(f._file_name as varchar) as evidence_file,
    cast(f._file_sha256 as varchar) as evidence_sha256,
    cast(null as bigint) as evidence_line
from latest as l
left join snapshot_file as f on f.snapshot_date = l.snapshot_date
