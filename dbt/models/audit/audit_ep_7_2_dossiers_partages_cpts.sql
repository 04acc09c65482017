{{ indicator_config() }}
-- Auditors' trail of EP-7.2: one row per dossier open at D of each CPTS whose coordination-dossier service is in
-- use (the denominator of ind_ep_7_2_dossiers_partages_cpts), from the same intermediate models, with why it is
-- or is not in the numerator. Evidence: the dossier's most telling event of the period — its latest update
-- (event other than CONSULTATION) by an actor who was a member of the CPTS on the event's date, else its latest
-- update by anyone else, else its latest consultation — or, with no event in the period, its row of the dossiers
-- snapshot in force at D.
with measure_dates as (
    select measure_date from {{ ref('int_measure_dates') }}
),

cpts as (
    select s.measure_date, s.structure_id, s.finess
    from {{ ref('int_coord_structures_at_measure_date') }} as s
    join measure_dates using (measure_date)
    where s.structure_type = 'CPTS' and s.dossier_coordination
),

open_dossiers as (
    select d.measure_date, d.period_start, d.snapshot_month, d.structure_id, d.dossier_id
    from {{ ref('int_coord_dossiers_at_measure_date') }} as d
    join measure_dates using (measure_date)
    where d.is_open_at_measure_date
),

-- every event of the period on those dossiers; rank 3 = update by a member on the event's date (the indicator's
-- rule: membership lines of the snapshot in force at D, joined on the event date = member, left on it = not),
-- 2 = update by someone else, 1 = consultation
events as (
    select
        d.measure_date,
        d.dossier_id,
        e.event_id,
        e.event_at_date,
        e.event_at,
        e._file_name,
        e._file_sha256,
        e._line_number,
        case
            when e.event_type = 'CONSULTATION' then 1
            when exists (
                select 1
                from {{ ref('int_cpts_members_at_measure_date') }} as mb
                where mb.measure_date = d.measure_date
                  and mb.structure_id = d.structure_id
                  and mb.professionnel_id = e.actor_id
                  and (mb.date_adhesion is null or mb.date_adhesion <= e.event_at_date)
                  and (mb.date_fin is null or mb.date_fin > e.event_at_date)
            ) then 3
            else 2
        end as event_rank
    from open_dossiers as d
    join {{ ref('stg_coordination__evenements') }} as e
        on e.dossier_id = d.dossier_id
       and e.event_at_date between d.period_start and d.measure_date
),

best_event as (
    select *
    from events
    qualify row_number() over (partition by measure_date, dossier_id
                               order by event_rank desc, event_at_date desc, event_at desc, _file_name desc,
                                        _line_number desc) = 1
)

select
    cast('EP-7.2' as varchar) as indicator_id,
    c.measure_date,
    cast('cpts' as varchar) as scope_type,
    c.finess as scope_id,
    cast(null as varchar) as subgroup,
    cast('dossier' as varchar) as unit,
    d.dossier_id as unit_id,
    true as in_denominator,
    coalesce(e.event_rank = 3, false) as in_numerator,
    cast(case e.event_rank
        when 3 then 'MAJ_MEMBRE'
        when 2 then 'MAJ_NON_MEMBRE'
        when 1 then 'CONSULTATION_SEULE'
        else 'SANS_ACTIVITE'
    end as varchar) as reason_code,
    cast(case when e.event_id is null then 'dossier' else 'evenement' end as varchar) as evidence_kind,
    coalesce(e.event_id, s.dossier_id) as evidence_id,
    case when e.event_id is null then s.date_ouverture else e.event_at_date end as evidence_date,
    case when e.event_id is null then s._file_name else e._file_name end as evidence_file,
    case when e.event_id is null then s._file_sha256 else e._file_sha256 end as evidence_sha256,
    cast(case when e.event_id is null then s._line_number else e._line_number end as bigint) as evidence_line
from cpts as c
join open_dossiers as d on d.measure_date = c.measure_date and d.structure_id = c.structure_id
left join best_event as e on e.measure_date = d.measure_date and e.dossier_id = d.dossier_id
left join {{ ref('stg_coordination__dossiers') }} as s
    on s.file_month = d.snapshot_month and s.dossier_id = d.dossier_id
