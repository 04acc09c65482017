-- The window of what is ingested, decided once: the as-of date (rulebook: « the latest event date seen across all
-- event tables », never after the day of the run: an agenda entry planned for later has not been "seen"; events
-- logged by a system and dated in the future are quarantined at ingestion), the first event date, and the quarters
-- they give. A run computes every quarter from first_quarter_start through last_complete_quarter_end (the command
-- line, the schedule and the sensor read this row); a result whose inputs are not complete at the as-of date is
-- provisional (EP-6.2, marts.indicator_results). A table, not a view: it is read once per run, by Python and dbt.
{{ config(materialized='table') }}

with event_dates as (
    select min(event_at_date) as first_date, max(event_at_date) as last_date from {{ ref('stg_coordination__evenements') }}
    union all select min(posted_at_date), max(posted_at_date) from {{ ref('stg_coordination__messages') }}
    union all select min(sent_at_date), max(sent_at_date) from {{ ref('stg_mss__messages') }}
    union all select min(submitted_at_date), max(submitted_at_date) from {{ ref('stg_dmp__documents') }}
    union all select min(event_at_date), max(event_at_date) from {{ ref('stg_dui__evenements') }}
    union all select min(start_at_date), max(start_at_date) from {{ ref('stg_dui__agenda') }}
),

window_ends as (
    select least(max(last_date), current_date) as as_of_date, min(first_date) as first_data_date
    from event_dates
)

select
    as_of_date,
    first_data_date,
    cast(date_trunc('quarter', first_data_date) as date) as first_quarter_start,
    -- the last quarter whose last day is on or before the as-of date (a quarter is complete once its last day has data)
    cast(date_trunc('quarter', as_of_date + 1) as date) - 1 as last_complete_quarter_end
from window_ends
