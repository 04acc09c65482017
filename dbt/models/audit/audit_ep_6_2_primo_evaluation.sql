{{ indicator_config() }}
-- Audit of EP-6.2, one row per dossier of the denominator of each DAC (dossiers opened in the period, even if
-- closed by D): in the numerator when an EVALUATION event is dated from the opening to opening + 30 days
-- (inclusive; it may fall after D), the rule of ind_ep_6_2_primo_evaluation on the same inputs. Evidence: the
-- first evaluation of that window (the primo-évaluation); for a dossier not counted, the first evaluation after
-- the window if any, else the dossier's snapshot row (its opening date).
with opened as (
    {{ dac_dossiers('d.opened_in_period') }}
),

-- the first EVALUATION of each opened dossier within 30 days of the opening, else the first one after them
evaluations as (
    select
        o.measure_date,
        o.dossier_id,
        e.event_at_date <= o.date_ouverture + 30 as in_time,
        e.event_id,
        e.event_at_date,
        e._file_name,
        e._file_sha256,
        e._line_number
    from opened as o
    join {{ ref('stg_coordination__evenements') }} as e
        on e.dossier_id = o.dossier_id
       and e.event_type = 'EVALUATION'
       and e.event_at_date >= o.date_ouverture
    qualify row_number() over (
        partition by o.measure_date, o.dossier_id
        order by e.event_at_date, e.event_at, e._file_name, e._line_number) = 1
)

select
    'EP-6.2' as indicator_id,
    o.measure_date,
    'dac' as scope_type,
    o.finess as scope_id,
    cast(null as varchar) as subgroup,
    'dossier' as unit,
    o.dossier_id as unit_id,
    true as in_denominator,
    coalesce(ev.in_time, false) as in_numerator,
    case
        when ev.in_time then 'evalue_dans_le_mois'
        when ev.event_id is not null then 'evaluation_tardive'
        else 'aucune_evaluation'
    end as reason_code,
    case when ev.event_id is not null then 'evenement' else 'dossier' end as evidence_kind,
    coalesce(ev.event_id, sd.dossier_id) as evidence_id,
    coalesce(ev.event_at_date, sd.date_ouverture) as evidence_date,
    coalesce(ev._file_name, sd._file_name) as evidence_file,
    coalesce(ev._file_sha256, sd._file_sha256) as evidence_sha256,
    cast(coalesce(ev._line_number, sd._line_number) as bigint) as evidence_line
from opened as o
left join evaluations as ev on ev.measure_date = o.measure_date and ev.dossier_id = o.dossier_id
left join {{ ref('stg_coordination__dossiers') }} as sd
    on sd.file_month = o.snapshot_month and sd.dossier_id = o.dossier_id
