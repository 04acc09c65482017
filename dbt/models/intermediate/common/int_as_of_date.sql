-- The warehouse's as-of date: the latest event date seen across all event tables (rulebook "as-of date"),
-- never after the day of the run (an agenda entry planned for later has not been "seen"; events logged by a
-- system and dated in the future are quarantined at ingestion).
-- A result whose inputs are not complete at this date is provisional (EP-6.2).
select least(max(d), current_date) as as_of_date
from (
    select max(event_at_date) as d from {{ ref('stg_coordination__evenements') }}
    union all select max(posted_at_date) from {{ ref('stg_coordination__messages') }}
    union all select max(sent_at_date) from {{ ref('stg_mss__messages') }}
    union all select max(submitted_at_date) from {{ ref('stg_dmp__documents') }}
    union all select max(event_at_date) from {{ ref('stg_dui__evenements') }}
    union all select max(start_at_date) from {{ ref('stg_dui__agenda') }}
)
