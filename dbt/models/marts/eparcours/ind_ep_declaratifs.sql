{{ indicator_config() }}
-- Declarative E-parcours indicators (1.1, 1.2, 2.1, 2.2, 3.1, 4.1, 5.1, 6.6), region rows: the declaration
-- whose date_mesure is D, from the latest declaratif file that carries it (a later file corrects an earlier
-- one). An indicator without a declaration for D gets a row with no value (status no_data downstream).
with declared as (
    -- Not snapshot_in_force: per indicator and date_mesure, the latest file carrying it, even one dated after D.
    select *
    from {{ ref('stg_declaratif__indicateurs') }}
    qualify row_number() over (partition by indicateur, date_mesure order by snapshot_date desc, _line_number) = 1
),

catalogue as (
    select indicator_id from {{ ref('ref_indicator_catalogue') }} where computation = 'declarative'
)

select
    c.indicator_id,
    m.measure_date,
    m.period_start,
    m.period_end,
    'region' as scope_type,
    (select region_code from {{ ref('int_region') }}) as scope_id,
    cast(null as varchar) as subgroup,
    case when d.valeur then 1 when not d.valeur then 0 end as declared_value,
    d.justificatif as evidence_reference,
    d.snapshot_date as evidence_date,
    d.commentaire as evidence_comment
from {{ ref('int_measure_dates') }} as m
cross join catalogue as c
left join declared as d on d.indicateur = c.indicator_id and d.date_mesure = m.measure_date
