{{ indicator_config() }}
-- EP-3.2, region x group: EGs of the FINESS universe open at D in the group (int_finess_eg_universe_...);
-- numerator: those present in the ROR snapshot in force (joined on FINESS géographique) with >=1 open UE
-- and EVERY open UE meeting the quality criterion (int_ror_ue_quality_at_measure_date).
with eg_quality as (
    select measure_date, finess_eg, count(*) as n_open_ue, bool_and(meets_quality_criterion) as all_ue_ok
    from {{ ref('int_ror_ue_quality_at_measure_date') }}
    group by 1, 2
),

groups as (
    select m.measure_date, g.subgroup
    from {{ ref('int_measure_dates') }} as m
    cross join (values ('SAN_MCO_SSR_PSY'), ('SAN_HAD_USLD'), ('MEDICO_SOCIAL'), ('VILLE')) as g(subgroup)
    where g.subgroup <> 'VILLE' or m.measure_date >= date '2021-01-01'
),

rows as (
    select
        g.measure_date,
        'region' as scope_type,
        (select region_code from {{ ref('int_region') }}) as scope_id,
        g.subgroup,
        count(u.nofinesset) filter (where q.n_open_ue >= 1 and q.all_ue_ok) as numerator,
        count(u.nofinesset) as denominator
    from groups as g
    left join {{ ref('int_finess_eg_universe_at_measure_date') }} as u
        on u.measure_date = g.measure_date and u.ep_3_2_group = g.subgroup
    left join eg_quality as q on q.measure_date = u.measure_date and q.finess_eg = u.nofinesset
    group by all
)

{{ indicator_rows('EP-3.2', 'rows', region_rows=false) }}
