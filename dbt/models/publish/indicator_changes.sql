-- publish.indicator_changes: each result against the same indicator, scope and subgroup one quarter earlier,
-- the quarter-over-quarter move the pre-publication gate judges (expectations/published.indicator_results.json,
-- batch `changes`) and the dashboard can show. jumps_in_quarter / jump_share: how many of the structures of
-- that indicator and quarter with at least var('change_min_cases') cases on both quarters moved by more than
-- var('change_jump_points') points: one small ESMS moving is news, many at once is an extract.
{% set jump = var('change_jump_points') %}
{% set min_cases = var('change_min_cases') %}

with changes as (
    select
        r.indicator_id,
        r.scope_type,
        r.scope_id,
        coalesce(r.subgroup, '') as subgroup,
        r.measure_date,
        p.measure_date as previous_measure_date,
        r.value,
        p.value as previous_value,
        abs(r.value - p.value) as abs_change,
        least(r.denominator, p.denominator) as min_denominator,
        r.may_exceed_100
    from {{ ref('publish_indicator_results') }} as r
    join {{ ref('publish_indicator_results') }} as p
      on p.indicator_id = r.indicator_id and p.scope_type = r.scope_type and p.scope_id = r.scope_id
     and coalesce(p.subgroup, '') = coalesce(r.subgroup, '')
     and p.measure_date = cast(last_day(r.measure_date - interval 3 month) as date)
    where r.value is not null and p.value is not null and r.denominator is not null
),

judged as (
    select
        *,
        min_denominator >= {{ min_cases }} as enough_cases,
        abs_change > {{ jump }} and min_denominator >= {{ min_cases }} as is_jump
    from changes
)

select
    *,
    count(*) filter (where is_jump and scope_type <> 'region') over q as jumps_in_quarter,
    count(*) filter (where is_jump and scope_type <> 'region') over q
        / greatest(count(*) filter (where enough_cases and scope_type <> 'region') over q, 1) as jump_share
from judged
window q as (partition by indicator_id, subgroup, measure_date)
