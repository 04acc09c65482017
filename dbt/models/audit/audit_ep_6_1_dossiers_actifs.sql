{{ indicator_config() }}
-- Audit of EP-6.1, one row per dossier of the denominator of each DAC (dossiers open at D): in the numerator when
-- it has >= 1 event other than CONSULTATION in the period. Membership from the same intermediates as
-- ind_ep_6_1_dossiers_actifs; evidence from stg_coordination__evenements (the latest event of the period that
-- decides) or the dossier's snapshot row (stg_coordination__dossiers, the file in force at D).
with members as (
    select
        d.measure_date,
        d.finess,
        d.dossier_id,
        d.snapshot_month,
        coalesce(a.n_events_not_consultation, 0) > 0 as in_numerator
    from ({{ dac_dossiers('d.is_open_at_measure_date') }}) as d
    left join {{ ref('int_coord_dossier_activity_in_period') }} as a
        on a.measure_date = d.measure_date and a.dossier_id = d.dossier_id
),

-- the events of the period of each member (same date rule as int_coord_dossier_activity_in_period), the one that
-- decides first: the latest non-CONSULTATION event, else the latest CONSULTATION
events as (
    select
        mb.measure_date,
        mb.dossier_id,
        e.event_type <> 'CONSULTATION' as updates,
        e.event_id,
        e.event_at_date,
        e._file_name,
        e._file_sha256,
        e._line_number
    from members as mb
    join {{ ref('int_measure_dates') }} as m using (measure_date)
    join {{ ref('stg_coordination__evenements') }} as e
        on e.dossier_id = mb.dossier_id and e.event_at_date between m.period_start and m.measure_date
    qualify row_number() over (
        partition by mb.measure_date, mb.dossier_id
        order by e.event_type <> 'CONSULTATION' desc, e.event_at_date desc, e.event_at desc, e._file_name desc, e._line_number desc) = 1
)

select
    'EP-6.1' as indicator_id,
    mb.measure_date,
    'dac' as scope_type,
    mb.finess as scope_id,
    cast(null as varchar) as subgroup,
    'dossier' as unit,
    mb.dossier_id as unit_id,
    true as in_denominator,
    mb.in_numerator,
    case
        when mb.in_numerator then 'actualise'
        when ev.event_id is not null then 'consultation_seule'
        else 'aucun_evenement'
    end as reason_code,
    case when ev.event_id is not null then 'evenement' else 'dossier' end as evidence_kind,
    coalesce(ev.event_id, sd.dossier_id) as evidence_id,
    coalesce(ev.event_at_date, sd.date_ouverture) as evidence_date,
    coalesce(ev._file_name, sd._file_name) as evidence_file,
    coalesce(ev._file_sha256, sd._file_sha256) as evidence_sha256,
    cast(coalesce(ev._line_number, sd._line_number) as bigint) as evidence_line
from members as mb
left join events as ev on ev.measure_date = mb.measure_date and ev.dossier_id = mb.dossier_id
left join {{ ref('stg_coordination__dossiers') }} as sd
    on sd.file_month = mb.snapshot_month and sd.dossier_id = mb.dossier_id
