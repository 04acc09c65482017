-- The measure dates of this run with the two ESMS Numérique windows (rulebook "ESMS Numérique"):
--   period  the quarter ending at D, both ends inclusive: DUI actifs, projet personnalisé, agenda
--           (doc 003 « Une mesure sur les 3 mois écoulés avant la date de mesure »);
--   window  the N months ending at D, both ends inclusive, for ESMS-MSS and ESMS-DMP (doc 003 « 3 à 6 mois »):
--           N = EPARCOURS_ESMS_WINDOW_MONTHS, default 3 (window = period), 3 to 6 accepted (macro esms_window_months).
-- D is always a month end, so the window starts on the first day of the month N-1 months before D's month.
-- A table of this run's measure dates (like int_measure_dates), not incremental.
select
    measure_date,
    period_start,
    period_end,
    {{ esms_window_months() }} as window_months,
    cast(date_trunc('month', measure_date) - to_months({{ esms_window_months() }} - 1) as date) as window_start,
    measure_date as window_end
from {{ ref('int_measure_dates') }}
