-- Freshness per quarter: has every month that is due arrived? One row per monthly landing table and month, from
-- the first month the table ever delivered through the last month of the last quarter that is due.
-- A quarter is due EPARCOURS_QUARTER_LAG_DAYS days (default 45) after its last day, as for the schedules: on
-- EPARCOURS_TODAY (macro eparcours_today), the quarter ending 31/12/2024 is due from 14/02/2025 on. A month of a
-- due quarter arrived when it has a delivery in force (stg_ingestion__current_deliveries: loaded, or refused
-- whole, which landing_findings reports as refused_delivery). A month not arrived is a finding of the landing
-- suites (overdue_month, a warning: the other tables and months publish). Unlike landing_findings, which looks
-- for holes between a table's first and last delivery, this also sees a table whose deliveries stopped, and it
-- does not care whether other tables delivered that month. A month of a quarter not yet due is not listed.
{{ config(materialized='table') }}

with monthly as (
    select table_name, delivery_start as month, file_name, status
    from {{ ref('stg_ingestion__current_deliveries') }}
    where is_monthly
),

settings as (
    select {{ eparcours_today() }} as today, {{ quarter_lag_days() }} as lag_days
),

tables as (
    select table_name, min(month) as first_month, max(month) as last_arrived
    from monthly
    group by 1
),

months as (
    select t.table_name, t.last_arrived, cast(m.month as date) as month, s.today, s.lag_days
    from tables as t
    cross join settings as s
    cross join range(t.first_month, s.today + interval 1 day, interval 1 month) as m(month)
),

quarters as (
    select *, cast(last_day(date_trunc('quarter', month) + interval 2 month) as date) as quarter_end
    from months
),

due as (
    select *, quarter_end + lag_days as due_since  -- date + integer: that many days later
    from quarters
)

select
    d.table_name,
    strftime(d.month, '%Y-%m') as delivery_key,
    d.month,
    d.quarter_end,
    {{ quarter_label('d.quarter_end') }} as quarter,
    d.due_since,
    date_diff('day', d.due_since, d.today) as days_overdue,
    m.table_name is not null as arrived,
    m.file_name,
    m.status,
    strftime(d.last_arrived, '%Y-%m') as last_arrived,
    d.today as judged_on
from due as d
left join monthly as m on m.table_name = d.table_name and m.month = d.month
where d.due_since <= d.today
