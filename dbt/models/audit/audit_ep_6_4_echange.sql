{{ indicator_config() }}
-- Audit of EP-6.4-ECHANGE, one row per dossier open at D of each DAC: in the denominator with >= 1 message in the
-- period, in the numerator with >= 2 messages from >= 2 distinct authors (int_coord_dossier_activity_in_period,
-- as ind_ep_6_4_echange). The open dossiers without a message in the period are listed too (in neither).
-- Evidence: the latest message of the period (stg_coordination__messages, same date rule), else the dossier's
-- snapshot row in force at D.
with members as (
    select
        d.measure_date,
        d.finess,
        d.dossier_id,
        d.snapshot_month,
        coalesce(a.n_messages, 0) as n_messages,
        coalesce(a.n_messages, 0) >= 1 as in_denominator,
        coalesce(a.n_messages, 0) >= 2 and coalesce(a.n_message_authors, 0) >= 2 as in_numerator
    from ({{ dac_dossiers('d.is_open_at_measure_date') }}) as d
    left join {{ ref('int_coord_dossier_activity_in_period') }} as a
        on a.measure_date = d.measure_date and a.dossier_id = d.dossier_id
),

last_message as (
    select
        mb.measure_date,
        mb.dossier_id,
        msg.message_id,
        msg.posted_at_date,
        msg._file_name,
        msg._file_sha256,
        msg._line_number
    from members as mb
    join {{ ref('int_measure_dates') }} as m using (measure_date)
    join {{ ref('stg_coordination__messages') }} as msg
        on msg.dossier_id = mb.dossier_id and msg.posted_at_date between m.period_start and m.measure_date
    qualify row_number() over (
        partition by mb.measure_date, mb.dossier_id
        order by msg.posted_at_date desc, msg.posted_at desc, msg._file_name desc, msg._line_number desc) = 1
)

select
    'EP-6.4-ECHANGE' as indicator_id,
    mb.measure_date,
    'dac' as scope_type,
    mb.finess as scope_id,
    cast(null as varchar) as subgroup,
    'dossier' as unit,
    mb.dossier_id as unit_id,
    mb.in_denominator,
    mb.in_numerator,
    case
        when mb.in_numerator then 'echange_2_auteurs'
        when mb.n_messages >= 2 then 'auteur_unique'
        when mb.in_denominator then 'message_unique'
        else 'aucun_message'
    end as reason_code,
    case when lm.message_id is not null then 'message' else 'dossier' end as evidence_kind,
    coalesce(lm.message_id, sd.dossier_id) as evidence_id,
    coalesce(lm.posted_at_date, sd.date_ouverture) as evidence_date,
    coalesce(lm._file_name, sd._file_name) as evidence_file,
    coalesce(lm._file_sha256, sd._file_sha256) as evidence_sha256,
    cast(coalesce(lm._line_number, sd._line_number) as bigint) as evidence_line
from members as mb
left join last_message as lm on lm.measure_date = mb.measure_date and lm.dossier_id = mb.dossier_id
left join {{ ref('stg_coordination__dossiers') }} as sd
    on sd.file_month = mb.snapshot_month and sd.dossier_id = mb.dossier_id
