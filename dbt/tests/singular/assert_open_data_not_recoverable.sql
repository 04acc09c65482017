-- A failure means a figure masked in the open-data export (publish.indicator_results_open) can be recovered by
-- subtraction from the published rows of its group (the region, DAC and CPTS rows of one indicator, measure date
-- and subgroup; the region row is their sum), i.e. the small-cell suppression of open_indicator_results protects
-- nothing for that row. Read with the exact figures of indicator_results:
--   (a) region published: region minus the sum of the published structure rows must not equal the (numerator,
--       denominator) of any single masked structure row (NULL counted as 0);
--   (b) region masked: at least one structure row with figures must be masked too, or the region is their sum.
-- One row per recoverable masked row, with how it is recovered.
with joined as (
    select
        o.indicator_id, o.scope_type, o.scope_id, o.subgroup, o.measure_date, o.masked,
        o.numerator, o.denominator,
        r.numerator as exact_numerator,
        r.denominator as exact_denominator
    from {{ ref('open_indicator_results') }} as o
    join {{ ref('indicator_results') }} as r
      on r.indicator_id = o.indicator_id and r.scope_type = o.scope_type and r.scope_id = o.scope_id
     and r.subgroup is not distinct from o.subgroup and r.measure_date = o.measure_date
    where o.scope_type in ('region', 'dac', 'cpts')
),

groups as (
    select
        indicator_id, measure_date, subgroup,
        count(*) filter (where scope_type = 'region') as region_rows,
        any_value(scope_id) filter (where scope_type = 'region') as region_id,
        bool_or(masked) filter (where scope_type = 'region') as region_masked,
        any_value(exact_numerator) filter (where scope_type = 'region') as region_numerator,
        any_value(exact_denominator) filter (where scope_type = 'region') as region_denominator,
        coalesce(sum(numerator) filter (where scope_type <> 'region' and not masked), 0) as shown_numerator,
        coalesce(sum(denominator) filter (where scope_type <> 'region' and not masked), 0) as shown_denominator,
        count(*) filter (where scope_type <> 'region' and masked) as hidden_rows,
        count(*) filter (where scope_type <> 'region'
                           and (exact_numerator is not null or exact_denominator is not null)) as carrying_rows
    from joined
    group by indicator_id, measure_date, subgroup
)

select j.indicator_id, j.scope_type, j.scope_id, j.subgroup, j.measure_date,
       'region minus published structure rows' as how
from joined as j
join groups as g
  on g.indicator_id = j.indicator_id and g.measure_date = j.measure_date and g.subgroup is not distinct from j.subgroup
where g.region_rows = 1
  and not g.region_masked
  and (g.region_numerator is not null or g.region_denominator is not null)
  and j.scope_type <> 'region'
  and j.masked
  and coalesce(j.exact_numerator, 0) = coalesce(g.region_numerator, 0) - g.shown_numerator
  and coalesce(j.exact_denominator, 0) = coalesce(g.region_denominator, 0) - g.shown_denominator

union all

select indicator_id, 'region', region_id, subgroup, measure_date, 'sum of published structure rows'
from groups
where region_rows = 1 and region_masked and hidden_rows = 0 and carrying_rows > 0
