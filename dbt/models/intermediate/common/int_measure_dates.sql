-- The measure dates D computed by this run: every quarter end in the window given by the orchestrator
-- (EPARCOURS_MEASURE_FROM .. EPARCOURS_MEASURE_THROUGH, environment variables so that a one-quarter
-- run does not force dbt to re-parse the project). Period = the quarter ending at D, both ends inclusive.
with window_bounds as (
    select
        cast('{{ env_var("EPARCOURS_MEASURE_FROM", "2021-01-01") }}' as date) as d_from,
        cast('{{ env_var("EPARCOURS_MEASURE_THROUGH", "2024-12-31") }}' as date) as d_through
),

quarters as (
    select cast(q as date) as period_start
    from window_bounds, range(date_trunc('quarter', d_from), d_through + interval 1 day, interval 3 month) t(q)
)

select
    cast(last_day(period_start + interval 2 month) as date) as measure_date,
    period_start,
    cast(last_day(period_start + interval 2 month) as date) as period_end
from quarters, window_bounds
where last_day(period_start + interval 2 month) <= d_through
