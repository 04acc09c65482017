{{ indicator_config() }}
-- Auditors' trail of EP-7.1: one row per member at D of each CPTS whose network is in use (the denominator of
-- ind_ep_7_1_membres_actifs_reseau), from the same intermediate models, with why he is or is not in the
-- numerator. Evidence: his latest network message of the period (a message of that CPTS without dossier), else
-- his membership line of the cpts_membres snapshot in force at D (the first one in the file if he has several).
with measure_dates as (
    select measure_date, period_start from {{ ref('int_measure_dates') }}
),

cpts as (
    select s.measure_date, s.structure_id, s.finess
    from {{ ref('int_coord_structures_at_measure_date') }} as s
    join measure_dates using (measure_date)
    where s.structure_type = 'CPTS' and s.reseau_social
),

-- membership lines at D, each with its line of the snapshot file (no business key: matched on every column)
member_lines as (
    select
        mb.measure_date,
        mb.structure_id,
        mb.professionnel_id,
        mb.date_adhesion,
        s._file_name,
        s._file_sha256,
        s._line_number
    from {{ ref('int_cpts_members_at_measure_date') }} as mb
    left join {{ ref('stg_coordination__cpts_membres') }} as s
        on s.snapshot_date = mb.snapshot_date
       and s.structure_id = mb.structure_id
       and s.professionnel_id = mb.professionnel_id
       and s.date_adhesion is not distinct from mb.date_adhesion
       and s.date_fin is not distinct from mb.date_fin
    where mb.is_member_at_measure_date
),

-- one row per member at D; adhesion = his earliest adhesion (NULL when a line has none: member since always)
members as (
    select
        measure_date,
        structure_id,
        professionnel_id,
        case when bool_or(date_adhesion is null) over w then null else min(date_adhesion) over w end as adhesion,
        date_adhesion,
        _file_name,
        _file_sha256,
        _line_number
    from member_lines
    window w as (partition by measure_date, structure_id, professionnel_id)
    qualify row_number() over (partition by measure_date, structure_id, professionnel_id
                               order by _file_name, _line_number, date_adhesion) = 1
),

-- each author's latest network message of the period, per CPTS
latest_posts as (
    select
        m.measure_date,
        msg.structure_id,
        msg.author_id,
        msg.message_id,
        msg.posted_at_date,
        msg._file_name,
        msg._file_sha256,
        msg._line_number
    from measure_dates as m
    join {{ ref('stg_coordination__messages') }} as msg
        on msg.posted_at_date between m.period_start and m.measure_date
    where msg.dossier_id is null
    qualify row_number() over (partition by m.measure_date, msg.structure_id, msg.author_id
                               order by msg.posted_at_date desc, msg.posted_at desc, msg._file_name desc,
                                        msg._line_number desc) = 1
)

select
    cast('EP-7.1' as varchar) as indicator_id,
    c.measure_date,
    cast('cpts' as varchar) as scope_type,
    c.finess as scope_id,
    cast(null as varchar) as subgroup,
    cast('professionnel' as varchar) as unit,
    mb.professionnel_id as unit_id,
    true as in_denominator,
    p.author_id is not null as in_numerator,
    cast(case
        when p.author_id is null then 'MEMBRE_SANS_MESSAGE'
        when p.posted_at_date < mb.adhesion then 'POSTE_AVANT_ADHESION'
        else 'POSTE_RESEAU'
    end as varchar) as reason_code,
    cast(case when p.author_id is null then 'membre' else 'message' end as varchar) as evidence_kind,
    case when p.author_id is null then mb.professionnel_id else p.message_id end as evidence_id,
    case when p.author_id is null then mb.date_adhesion else p.posted_at_date end as evidence_date,
    case when p.author_id is null then mb._file_name else p._file_name end as evidence_file,
    case when p.author_id is null then mb._file_sha256 else p._file_sha256 end as evidence_sha256,
    cast(case when p.author_id is null then mb._line_number else p._line_number end as bigint) as evidence_line
from cpts as c
join members as mb on mb.measure_date = c.measure_date and mb.structure_id = c.structure_id
left join latest_posts as p
    on p.measure_date = mb.measure_date and p.structure_id = mb.structure_id and p.author_id = mb.professionnel_id
