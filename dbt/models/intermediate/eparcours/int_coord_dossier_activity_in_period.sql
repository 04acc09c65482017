-- What happened to each dossier during the period (quarter ending at D), from the coordination events and
-- messages. An event belongs to the period by the calendar date written in its timestamp, whatever month
-- file carries it (rulebook "dates of events").
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date') }}

with events as (
    select
        m.measure_date,
        e.dossier_id,
        count(*) filter (where e.event_type <> 'CONSULTATION') as n_events_not_consultation,
        count(*) filter (where e.event_type in ('NOTIFICATION', 'ALERTE', 'CARNET_LIAISON')) as n_notifications
    from {{ ref('int_measure_dates') }} as m
    join {{ ref('stg_coordination__evenements') }} as e
        on e.event_at_date between m.period_start and m.measure_date
    group by 1, 2
),

messages as (
    select
        m.measure_date,
        msg.dossier_id,
        count(*) as n_messages,
        count(distinct msg.author_id) as n_authors
    from {{ ref('int_measure_dates') }} as m
    join {{ ref('stg_coordination__messages') }} as msg
        on msg.posted_at_date between m.period_start and m.measure_date
    where msg.dossier_id is not null
    group by 1, 2
)

select
    coalesce(e.measure_date, msg.measure_date) as measure_date,
    coalesce(e.dossier_id, msg.dossier_id) as dossier_id,
    coalesce(e.n_events_not_consultation, 0) as n_events_not_consultation,
    coalesce(e.n_notifications, 0) as n_notifications,
    coalesce(msg.n_messages, 0) as n_messages,
    coalesce(msg.n_authors, 0) as n_message_authors
from events as e
full outer join messages as msg using (measure_date, dossier_id)
