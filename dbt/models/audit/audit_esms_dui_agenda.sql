{{ indicator_config() }}
-- Auditors' trail of ESMS-DUI-AGENDA (ind_esms_dui_agenda): one row per DUI actif of an ESMS in force (unit `dui`,
-- int_dui_actifs_at_measure_date), all in_denominator; in_numerator = has_agenda_event (the indicator's flag, from
-- int_dui_agenda_in_period). Evidence: among the dossier's agenda entries starting in the period (the local date
-- written in start_at, quarter ending at D), a qualifying one first (a time, a duration > 0, not TRANSMISSION: the
-- rule of int_dui_agenda_in_period), then the latest start. Reasons: AGENDA_RDV (numerator), AGENDA_TRANSMISSION
-- (the entry shown is a transmission), AGENDA_SANS_DUREE (no duration), AGENDA_ABSENT (no entry in the period, no
-- evidence).
with actifs as (
    {{ audit_esms_dui_actifs() }}
),

entries as (
    select
        a.measure_date, a.finess_geo, a.dossier_id,
        ag.agenda_id, ag.start_at_date, ag.nature, ag._file_name, ag._file_sha256, ag._line_number
    from actifs as a
    join {{ ref('int_measure_dates') }} as m using (measure_date)
    join {{ ref('stg_dui__agenda') }} as ag
        on ag.finess_geo = a.finess_geo
       and ag.dossier_id = a.dossier_id
       and ag.start_at_date between m.period_start and m.measure_date
    qualify row_number() over (
        partition by a.measure_date, a.finess_geo, a.dossier_id
        order by (ag.start_at is not null and coalesce(ag.duree_minutes > 0, false) and ag.nature <> 'TRANSMISSION')
                 desc,
                 ag.start_at desc, ag.agenda_id desc, ag._file_name desc, ag._line_number
    ) = 1
),

rows as (
    select
        a.measure_date,
        a.finess_geo,
        'dui' as unit,
        a.dossier_id as unit_id,
        true as in_denominator,
        a.has_agenda_event as in_numerator,
        case
            when a.has_agenda_event then 'AGENDA_RDV'
            when e.agenda_id is null then 'AGENDA_ABSENT'
            when e.nature = 'TRANSMISSION' then 'AGENDA_TRANSMISSION'
            else 'AGENDA_SANS_DUREE'
        end as reason_code,
        case when e.agenda_id is not null then 'agenda' end as evidence_kind,
        e.agenda_id as evidence_id,
        e.start_at_date as evidence_date,
        e._file_name as evidence_file,
        e._file_sha256 as evidence_sha256,
        e._line_number as evidence_line
    from actifs as a
    left join entries as e using (measure_date, finess_geo, dossier_id)
)

{{ audit_esms_select('ESMS-DUI-AGENDA', 'rows') }}
