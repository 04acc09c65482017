-- indicator_results: one row per indicator x scope x subgroup x measure date (rulebook "Published results"),
-- with the target tier in force at D and whether it is met.
--   value        100 * numerator / denominator (percent); EP-5.2: the number of days; declaratives: null
--   target       the latest tier of ref_indicator_targets that applies on or before D, for the reference
--                document in force (EPARCOURS_REFERENCE_EPARCOURS, default note_2021_216;
--                EPARCOURS_REFERENCE_ESMS, default instruction_2024_15) — chosen here, in SQL
--   status       no_data when the denominator is 0 (EP-5.2: no directory snapshot); provisional while the
--                data (as-of date) does not cover the period, and for EP-6.2 period end + 30 days; else final
--   target_applies_from, target_source, comparison: the tier chosen (its first date, its quotation of the official
--                document, gte/lte): every consumer reads them here instead of choosing a tier again
-- The models of the union are those of the catalogue's `model` column (ref_indicator_catalogue): the test
-- assert_catalogue_matches_indicator_models fails when the two lists differ; the catalogue is joined on the left
-- so that a model without a catalogue row is published with a null label (not_null test) instead of vanishing.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='measure_date',
          on_schema_change='append_new_columns') }}

with computed as (
    {% set models = ['ind_ep_3_2_ror_qualite', 'ind_ep_4_2_synthese_dmp', 'ind_ep_5_2_annuaire_mssante',
                     'ind_ep_6_1_dossiers_actifs', 'ind_ep_6_2_primo_evaluation', 'ind_ep_6_3_notifications',
                     'ind_ep_6_4_equipe', 'ind_ep_6_4_echange', 'ind_ep_7_1_membres_actifs_reseau',
                     'ind_ep_7_2_dossiers_partages_cpts', 'ind_ep_ins_qualifie',
                     'ind_esms_dui_actifs', 'ind_esms_dui_pp', 'ind_esms_dui_agenda', 'ind_esms_mss',
                     'ind_esms_dmp'] %}
    {% for m in models %}
    select indicator_id, measure_date, period_start, period_end, scope_type, scope_id, subgroup,
           numerator, denominator
    from {{ ref(m) }}
    where measure_date in (select measure_date from {{ ref('int_measure_dates') }})
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

declarative as (
    select * from {{ ref('ind_ep_declaratifs') }}
    where measure_date in (select measure_date from {{ ref('int_measure_dates') }})
),

results as (
    select *, cast(null as integer) as declared_value, cast(null as varchar) as evidence_reference,
           cast(null as date) as evidence_date
    from computed
    union all
    select indicator_id, measure_date, period_start, period_end, scope_type, scope_id, subgroup,
           cast(null as bigint), cast(null as bigint), declared_value, evidence_reference, evidence_date
    from declarative
),

documents_in_force as (
    select 'E-parcours' as programme, '{{ env_var("EPARCOURS_REFERENCE_EPARCOURS", "note_2021_216") }}' as document
    union all
    select 'ESMS Numérique', '{{ env_var("EPARCOURS_REFERENCE_ESMS", "instruction_2024_15") }}'
),

with_catalogue as (
    select
        r.*,
        c.label,
        c.programme,
        c.unit,
        case when c.reference_document = 'rulebook' then 'rulebook' else doc.document end as reference_document
    from results as r
    left join {{ ref('ref_indicator_catalogue') }} as c using (indicator_id)
    left join documents_in_force as doc on doc.programme = c.programme
),

with_target as (
    select
        r.*,
        t.target,
        t.comparison,
        t.applies_from as target_applies_from,
        t.source as target_source
    from with_catalogue as r
    left join {{ ref('ref_indicator_targets') }} as t
        on t.indicator_id = r.indicator_id
       and coalesce(t.subgroup, '') = coalesce(r.subgroup, '')
       and t.reference_document = r.reference_document
       and t.applies_from <= r.measure_date
    qualify row_number() over (
        partition by r.indicator_id, r.scope_type, r.scope_id, r.subgroup, r.measure_date
        order by t.applies_from desc nulls last
    ) = 1
),

valued as (
    select
        *,
        case
            when indicator_id = 'EP-5.2' then cast(numerator as double)
            when denominator > 0 then round(100.0 * numerator / denominator, 2)
        end as value
    from with_target
)

select
    v.indicator_id,
    v.label,
    v.programme,
    v.scope_type,
    v.scope_id,
    v.subgroup,
    v.period_start,
    v.period_end,
    v.numerator,
    v.denominator,
    v.value,
    cast(v.target as double) as target,
    case
        when v.declared_value is not null then v.declared_value = 1
        when v.value is null or v.target is null then null
        when v.comparison = 'lte' then v.value <= v.target
        else v.value >= v.target
    end as target_met,
    case
        when v.declared_value is null and v.value is null then 'no_data'
        when v.indicator_id = 'EP-6.2' and a.as_of_date < v.period_end + interval 30 day then 'provisional'
        when v.declared_value is null and a.as_of_date < v.period_end then 'provisional'
        else 'final'
    end as status,
    v.reference_document,
    v.measure_date,
    v.declared_value,
    v.evidence_reference,
    v.evidence_date,
    v.comparison,
    v.target_applies_from,
    v.target_source
from valued as v
cross join {{ ref('stg_ingestion__data_window') }} as a
