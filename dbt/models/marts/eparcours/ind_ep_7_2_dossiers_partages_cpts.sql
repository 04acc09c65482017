{{ indicator_config() }}
-- EP-7.2, per CPTS whose coordination-dossier service is in use (dossier_coordination = O) and region:
-- dossiers open at D with >=1 event other than CONSULTATION in the period by an actor who was a member of
-- that CPTS on the event's date (membership from the cpts_membres snapshot in force at D; joined on the
-- event date = member, left on the event date = not a member).
with cpts as (
    select measure_date, structure_id, finess from {{ ref('int_coord_structures_at_measure_date') }}
    where structure_type = 'CPTS' and dossier_coordination
),

open_dossiers as (
    select measure_date, period_start, structure_id, dossier_id
    from {{ ref('int_coord_dossiers_at_measure_date') }}
    where is_open_at_measure_date
),

active_by_member as (
    select distinct d.measure_date, d.dossier_id
    from open_dossiers as d
    join {{ ref('stg_coordination__evenements') }} as e
        on e.dossier_id = d.dossier_id
       and e.event_type <> 'CONSULTATION'
       and e.event_at_date between d.period_start and d.measure_date
    join {{ ref('int_cpts_members_at_measure_date') }} as mb
        on mb.measure_date = d.measure_date
       and mb.structure_id = d.structure_id
       and mb.professionnel_id = e.actor_id
       and (mb.date_adhesion is null or mb.date_adhesion <= e.event_at_date)
       and (mb.date_fin is null or mb.date_fin > e.event_at_date)
),

rows as (
    select
        cpts.measure_date,
        'cpts' as scope_type,
        cpts.finess as scope_id,
        cast(null as varchar) as subgroup,
        count(a.dossier_id) as numerator,
        count(d.dossier_id) as denominator
    from cpts
    left join open_dossiers as d on d.measure_date = cpts.measure_date and d.structure_id = cpts.structure_id
    left join active_by_member as a on a.measure_date = d.measure_date and a.dossier_id = d.dossier_id
    group by all
)

{{ indicator_rows('EP-7.2', 'rows') }}
