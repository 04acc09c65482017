-- publish.indicator_results: every published result with everything a reader is shown about it, computed once
-- here so that the CSV, the analysts' file, the dashboard, the semestrial report and the CNSA proofs say the same:
--   the figures of marts.indicator_results (unchanged) and the target tier in force chosen there (comparison,
--   first date, quotation of the official document);
--   French texts: value (1/16 → « 6,3 % », half up on the exact ratio), numerator / denominator, target
--   (« au moins 60 % »), attainment, status, subgroup, scope, reference document, quarter and semester labels;
--   for a structure: its competition rank among the structures of the same type, indicator, subgroup and
--   quarter (best first by the comparison in force; ties share a rank; no_data not ranked) and the gap to the
--   target in units of the numerator (the smallest k >= 0 with (n + k) / d >= target, or (n - k) / d <= target
--   for « au plus »; for EP-5.2, in days, the value itself).
{{ config(alias='indicator_results') }}

with results as (
    select
        r.*,
        c.unit,
        c.computation,
        coalesce(c.may_exceed_100, false) as may_exceed_100,
        c.numerator_label,
        c.numerator_label_singular
    from {{ ref('indicator_results') }} as r
    left join {{ ref('ref_indicator_catalogue') }} as c using (indicator_id)
),

ranked as (
    select
        *,
        case when scope_type <> 'region' and computation = 'computed' and value is not null and status <> 'no_data'
             then true else false end as is_ranked
    from results
),

with_rank as (
    select
        *,
        case when is_ranked then rank() over (
            partition by scope_type, indicator_id, subgroup, measure_date, is_ranked
            order by case when comparison = 'lte' then value else -value end) end as rank_among_peers,
        case when is_ranked then count(*) over (
            partition by scope_type, indicator_id, subgroup, measure_date, is_ranked) end as ranked_peers,
        case when is_ranked then count(*) over (
            partition by scope_type, indicator_id, subgroup, measure_date, is_ranked, value) > 1 end as rank_tied
    from ranked
),

with_gap as (
    select
        *,
        case
            when target is null or numerator is null or denominator = 0 or computation <> 'computed' then null
            when denominator is null then greatest(0, cast(ceil(
                case when comparison = 'lte' then numerator - cast(target as decimal(18, 6))
                     else cast(target as decimal(18, 6)) - numerator end) as bigint))
            else greatest(0, cast(ceil(
                (case when comparison = 'lte' then 100 * numerator - cast(target as decimal(18, 6)) * denominator
                      else cast(target as decimal(18, 6)) * denominator - 100 * numerator end) / 100) as bigint))
        end as gap_to_target
    from with_rank
)

select
    indicator_id,
    label,
    programme,
    scope_type,
    scope_id,
    subgroup,
    period_start,
    period_end,
    numerator,
    denominator,
    value,
    target,
    target_met,
    status,
    reference_document,
    measure_date,
    evidence_reference,
    evidence_date,
    comparison,
    target_applies_from,
    target_source,
    unit,
    may_exceed_100,
    rank_among_peers,
    ranked_peers,
    rank_tied,
    gap_to_target,
    -- French texts
    {{ quarter_label('measure_date') }} as quarter_label,
    {{ semester_label('measure_date') }} as semester_label,
    'du ' || {{ fr_date('period_start') }} || ' au ' || {{ fr_date('period_end') }} as period_text,
    {{ label_of('scope_type', 'scope_type') }} as scope_label,
    case when subgroup is not null then {{ label_of('subgroup', 'subgroup') }} end as subgroup_label,
    {{ label_of('status', 'status') }} as status_label,
    {{ label_of('reference_document', 'reference_document') }} as reference_document_label,
    case
        when computation = 'declarative' then case when target_met then 'oui' when not target_met then 'non' end
        when unit = '%' and denominator > 0 then {{ fr_percent('numerator', 'denominator') }}
        when unit = 'jours' and value is not null then {{ fr_days('value') }}
        when value is not null then {{ fr_number('value', 1) }}
    end as value_text,
    case when numerator is not null and denominator is not null
         then {{ fr_number('numerator') }} || ' / ' || {{ fr_number('denominator') }} end as ratio_text,
    case
        when computation = 'declarative' then null
        when target is null then {{ label_of('attainment', "'no_target'") }}
        else {{ label_of('comparison', "coalesce(comparison, 'gte')") }} || ' '
             || {{ fr_with_unit(fr_trim('target'), 'target', 'unit') }}
    end as target_text,
    case
        when computation = 'declarative' then {{ label_of('attainment',
            "case when target_met then 'declared_yes' when not target_met then 'declared_no' else 'not_declared' end") }}
        else {{ label_of('attainment',
            "case when target_met then 'met' when not target_met then 'not_met' when target is null then 'no_target'
                  else 'not_evaluable' end") }}
    end as attainment_label,
    case
        when target is null or computation <> 'computed' then null
        when target_met or gap_to_target = 0 then 'objectif atteint'
        when gap_to_target is null then 'non calculable (sans donnée)'
        else {{ fr_number('gap_to_target') }} || ' '
             || case when gap_to_target = 1 then coalesce(numerator_label_singular, numerator_label, 'unité')
                     else coalesce(numerator_label, 'unités') end
             || case when comparison = 'lte' then ' de moins' else ' de plus' end
    end as gap_text,
    case
        when scope_type = 'region' or computation <> 'computed' then null
        when not is_ranked then 'non classé (sans donnée)'
        else case when rank_among_peers = 1 then '1er' else rank_among_peers || 'e' end
             || case when rank_tied then ' ex aequo' else '' end
             || ' sur ' || {{ fr_number('ranked_peers') }} || ' ' || {{ label_of('scope_type', 'scope_type') }}
    end as rank_text
from with_gap
