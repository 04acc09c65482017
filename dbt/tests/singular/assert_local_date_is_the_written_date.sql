-- A failure means the macros parse_ts / local_date no longer follow the rulebook: an event belongs to a
-- period by the calendar date written in its timestamp (local date, never converted to UTC). The cases
-- sit around midnight, where the UTC date differs from the written one.
with cases as (
    select * from (values
        ('2024-04-01T00:30:00+02:00', date '2024-04-01', timestamptz '2024-03-31 22:30:00+00'),
        ('2024-03-31T23:59:59-04:00', date '2024-03-31', timestamptz '2024-04-01 03:59:59+00'),
        ('2024-06-30T12:00:00Z', date '2024-06-30', timestamptz '2024-06-30 12:00:00+00'),
        (' 2024-12-31T23:00:00+04:00 ', date '2024-12-31', timestamptz '2024-12-31 19:00:00+00')
    ) as t (ts_text, expected_date, expected_instant)
)
select *
from cases
where {{ local_date('ts_text') }} is distinct from expected_date
   or {{ parse_ts('ts_text') }} is distinct from expected_instant
