{{ indicator_config() }}
-- Auditors' trail of EP-3.2 (ind_ep_3_2_ror_qualite), region × group: one row per EG of the FINESS universe open
-- at D (the denominator), in the numerator when its FINESS géographique has >= 1 open UE in the ROR snapshot in
-- force and EVERY open UE meets the quality criterion — the same intermediates and the same test as the indicator.
-- Reason of an EG not counted: absent from the ROR, in the ROR without an open UE, or the first criterion missing
-- from its first failing UE (by id_ue). Evidence: the ROR EG row (numerator, no open UE), the failing UE row, or the
-- FINESS stock row (absent from the ROR), each from the staging snapshot in force at D.
with universe as (
    select u.measure_date, u.nofinesset, u.ep_3_2_group
    from {{ ref('int_finess_eg_universe_at_measure_date') }} as u
    join {{ ref('int_measure_dates') }} as m using (measure_date)
),

ue_quality as (
    select * from {{ ref('int_ror_ue_quality_at_measure_date') }}
),

eg_quality as (
    select measure_date, finess_eg, count(*) as n_open_ue, bool_and(meets_quality_criterion) as all_ue_ok,
        min(id_ue) as first_ue
    from ue_quality
    group by 1, 2
),

first_failing_ue as (
    select measure_date, finess_eg, id_ue,
        case
            when not has_activite then 'EP32_UE_SANS_ACTIVITE'
            when not has_mode_prise_en_charge then 'EP32_UE_SANS_MODE_PEC'
            when not has_age_range then 'EP32_UE_SANS_AGE'
            when not has_champ_activite then 'EP32_UE_SANS_CHAMP'
            when not has_address then 'EP32_UE_SANS_ADRESSE'
            when not has_contact then 'EP32_UE_SANS_CONTACT'
        end as reason_code
    from ue_quality
    where not meets_quality_criterion
    qualify row_number() over (partition by measure_date, finess_eg order by id_ue) = 1
),

-- the staging rows of the ROR and FINESS snapshots in force at D (same macro as the intermediates)
ror_eg_in_force as (
    select f.measure_date, eg.*
    from ({{ snapshot_in_force('stg_ror__eg') }}) as f
    join {{ ref('stg_ror__eg') }} as eg using (snapshot_date)
),

ror_ue_in_force as (
    select f.measure_date, ue.*
    from ({{ snapshot_in_force('stg_ror__ue') }}) as f
    join {{ ref('stg_ror__ue') }} as ue using (snapshot_date)
),

finess_in_force as (
    select f.measure_date, s.*
    from ({{ snapshot_in_force('stg_finess__structures') }}) as f
    join {{ ref('stg_finess__structures') }} as s using (snapshot_date)
),

classified as (
    select
        u.measure_date,
        u.ep_3_2_group as subgroup,
        u.nofinesset,
        coalesce(q.n_open_ue >= 1 and q.all_ue_ok, false) as in_numerator,
        case
            when q.n_open_ue >= 1 and q.all_ue_ok then 'EP32_CRITERE_QUALITE'
            when q.finess_eg is not null then fu.reason_code
            when exists (select 1 from ror_eg_in_force as e
                         where e.measure_date = u.measure_date and e.finess_eg = u.nofinesset)
                then 'EP32_SANS_UE_OUVERTE'
            else 'EP32_ABSENT_ROR'
        end as reason_code,
        q.first_ue,
        fu.id_ue as failing_ue
    from universe as u
    left join eg_quality as q on q.measure_date = u.measure_date and q.finess_eg = u.nofinesset
    left join first_failing_ue as fu on fu.measure_date = u.measure_date and fu.finess_eg = u.nofinesset
),

evidence as (
    -- numerator: the ROR EG row of its first open UE
    select c.measure_date, c.nofinesset, 'ror_eg' as evidence_kind, e.id_eg as evidence_id,
        e.snapshot_date as evidence_date, e._file_name, e._file_sha256, e._line_number
    from classified as c
    join ror_ue_in_force as ue on ue.measure_date = c.measure_date and ue.id_ue = c.first_ue
    join ror_eg_in_force as e on e.measure_date = c.measure_date and e.id_eg = ue.id_eg
    where c.reason_code = 'EP32_CRITERE_QUALITE'
    union all
    -- a failing UE: its ROR UE row
    select c.measure_date, c.nofinesset, 'ror_ue', ue.id_ue, ue.snapshot_date, ue._file_name, ue._file_sha256,
        ue._line_number
    from classified as c
    join ror_ue_in_force as ue on ue.measure_date = c.measure_date and ue.id_ue = c.failing_ue
    union all
    -- in the ROR without an open UE: its first ROR EG row (in file order)
    select * from (
        select c.measure_date, c.nofinesset, 'ror_eg', e.id_eg, e.snapshot_date, e._file_name, e._file_sha256,
            e._line_number
        from classified as c
        join ror_eg_in_force as e on e.measure_date = c.measure_date and e.finess_eg = c.nofinesset
        where c.reason_code = 'EP32_SANS_UE_OUVERTE'
        qualify row_number() over (partition by c.measure_date, c.nofinesset order by e._file_name, e._line_number) = 1
    )
    union all
    -- absent from the ROR: its row of the FINESS stock (what puts it in the universe)
    select c.measure_date, c.nofinesset, 'finess', s.nofinesset, s.snapshot_date, s._file_name, s._file_sha256,
        s._line_number
    from classified as c
    join finess_in_force as s on s.measure_date = c.measure_date and s.nofinesset = c.nofinesset
    where c.reason_code = 'EP32_ABSENT_ROR'
)

select
    cast('EP-3.2' as varchar) as indicator_id,
    c.measure_date,
    cast('region' as varchar) as scope_type,
    cast((select region_code from {{ ref('int_region') }}) as varchar) as scope_id,
    cast(c.subgroup as varchar) as subgroup,
    cast('eg' as varchar) as unit,
    cast(c.nofinesset as varchar) as unit_id,
    true as in_denominator,
    c.in_numerator,
    cast(c.reason_code as varchar) as reason_code,
    cast(ev.evidence_kind as varchar) as evidence_kind,
    cast(ev.evidence_id as varchar) as evidence_id,
    cast(ev.evidence_date as date) as evidence_date,
    cast(ev._file_name as varchar) as evidence_file,
    cast(ev._file_sha256 as varchar) as evidence_sha256,
    cast(ev._line_number as bigint) as evidence_line
from classified as c
left join evidence as ev on ev.measure_date = c.measure_date and ev.nofinesset = c.nofinesset
