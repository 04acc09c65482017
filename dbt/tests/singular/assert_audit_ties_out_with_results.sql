-- The auditors' trail ties out with the published figures: for every row of indicator_results of a computed
-- indicator, the units of audit_membership counted in its numerator and in its denominator are exactly its
-- numerator and its denominator. A region row that indicator_rows sums from the structure rows is compared with
-- the units of all its structures; EP-5.2 (a number of days, no denominator) with the days between the snapshot in
-- its trail and the measure date; ESMS-DUI-ACTIFS's denominator (a declared mean, not a list) with the mean of the
-- file-active years in its trail. A failure lists the rows that differ: an auditor would count another figure
-- than the published one.
with members as (
    select indicator_id, measure_date, scope_type, scope_id, coalesce(subgroup, '') as subgroup,
           count(*) filter (where in_numerator) as n_num,
           -- units of the denominator; ESMS-DUI-ACTIFS: its denominator is the declared mean file active, one row
           -- per year used (unit_id '<year>:<count>'), the mean rounded half up as int_esms_personnes_accompagnees
           count(*) filter (where in_denominator and unit <> 'file_active')
             + coalesce((2 * sum(case when unit = 'file_active' then try_cast(split_part(unit_id, ':', 2) as bigint) end)
                             filter (where in_denominator and unit = 'file_active')
                         + count(*) filter (where in_denominator and unit = 'file_active'))
                        // nullif(2 * count(*) filter (where in_denominator and unit = 'file_active'), 0), 0)
               as n_den,
           max(case when unit = 'annuaire' then measure_date - evidence_date end) as days
    from {{ ref('audit_membership') }}
    group by all
),

structure_sums as (
    select indicator_id, measure_date, 'region' as scope_type, coalesce(subgroup, '') as subgroup,
           sum(n_num) as n_num, sum(n_den) as n_den
    from members
    where scope_type <> 'region'
    group by all
),

results as (
    select r.indicator_id, r.measure_date, r.scope_type, r.scope_id, coalesce(r.subgroup, '') as subgroup,
           r.numerator, r.denominator
    from {{ ref('indicator_results') }} as r
    join {{ ref('ref_indicator_catalogue') }} as c using (indicator_id)
    where c.computation = 'computed'
),

compared as (
    select
        r.*,
        case when r.indicator_id = 'EP-5.2' then m.days
             when m.scope_id is not null then m.n_num
             else coalesce(s.n_num, 0) end as audit_numerator,
        case when r.indicator_id = 'EP-5.2' then null
             when m.scope_id is not null then m.n_den
             else coalesce(s.n_den, 0) end as audit_denominator
    from results as r
    left join members as m
        on m.indicator_id = r.indicator_id and m.measure_date = r.measure_date and m.scope_type = r.scope_type
       and m.scope_id = r.scope_id and m.subgroup = r.subgroup
    left join structure_sums as s
        on r.scope_type = 'region' and s.indicator_id = r.indicator_id and s.measure_date = r.measure_date
       and s.subgroup = r.subgroup
)

select * from compared
where coalesce(numerator, 0) <> coalesce(audit_numerator, 0)
   or coalesce(denominator, 0) <> coalesce(audit_denominator, 0)
