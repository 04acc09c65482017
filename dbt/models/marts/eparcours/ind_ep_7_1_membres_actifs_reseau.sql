{{ indicator_config() }}
-- EP-7.1, per CPTS whose social network service is in use (reseau_social = O) and region: members at D
-- who posted >=1 message on the CPTS network (a message with no dossier) in the period. A member at D who
-- posted before his adhesion date still counts (rulebook decision).
with cpts as (
    select measure_date, structure_id, finess from {{ ref('int_coord_structures_at_measure_date') }}
    where structure_type = 'CPTS' and reseau_social
),

members as (
    select measure_date, structure_id, professionnel_id
    from {{ ref('int_cpts_members_at_measure_date') }}
    where is_member_at_measure_date
    group by all
),

posters as (
    select distinct m.measure_date, msg.structure_id, msg.author_id
    from {{ ref('int_measure_dates') }} as m
    join {{ ref('stg_coordination__messages') }} as msg
        on msg.posted_at_date between m.period_start and m.measure_date
    where msg.dossier_id is null
),

rows as (
    select
        cpts.measure_date,
        'cpts' as scope_type,
        cpts.finess as scope_id,
        cast(null as varchar) as subgroup,
        count(p.author_id) as numerator,
        count(mb.professionnel_id) as denominator
    from cpts
    left join members as mb on mb.measure_date = cpts.measure_date and mb.structure_id = cpts.structure_id
    left join posters as p
        on p.measure_date = mb.measure_date and p.structure_id = mb.structure_id and p.author_id = mb.professionnel_id
    group by all
)

{{ indicator_rows('EP-7.1', 'rows') }}
