-- audit.audit_membership: every unit counted by every computed indicator, for every structure (or the region) and
-- quarter, with why (the French text of its reason, seed ref_audit_reasons, `{date}` replaced by the evidence
-- date) and the evidence (file, SHA-256, line). The union of the audit models, one per indicator model of the
-- catalogue (`audit_` + the indicator model's name without `ind_`): the test
-- assert_audit_models_match_the_catalogue fails when one is missing; assert_audit_ties_out_with_results fails when
-- its counts differ from a published numerator or denominator.
{{ indicator_config() }}

{% set models = ['audit_ep_3_2_ror_qualite', 'audit_ep_4_2_synthese_dmp', 'audit_ep_5_2_annuaire_mssante',
                 'audit_ep_6_1_dossiers_actifs', 'audit_ep_6_2_primo_evaluation', 'audit_ep_6_3_notifications',
                 'audit_ep_6_4_equipe', 'audit_ep_6_4_echange', 'audit_ep_7_1_membres_actifs_reseau',
                 'audit_ep_7_2_dossiers_partages_cpts', 'audit_ep_ins_qualifie',
                 'audit_esms_dui_actifs', 'audit_esms_dui_pp', 'audit_esms_dui_agenda', 'audit_esms_mss',
                 'audit_esms_dmp'] %}

with members as (
    {% for m in models %}
    select indicator_id, measure_date, scope_type, scope_id, subgroup, unit, unit_id, in_denominator, in_numerator,
           reason_code, evidence_kind, evidence_id, evidence_date, evidence_file, evidence_sha256, evidence_line
    from {{ ref(m) }}
    where measure_date in (select measure_date from {{ ref('int_measure_dates') }})
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    m.*,
    coalesce(replace(r.label, '{date}', coalesce(strftime(m.evidence_date, '%d/%m/%Y'), '?')), m.reason_code)
        as reason_text
from members as m
left join {{ ref('ref_audit_reasons') }} as r
    on r.indicator_id = m.indicator_id and r.reason_code = m.reason_code
