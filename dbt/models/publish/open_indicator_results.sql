-- indicator_results_open: the rows of indicator_results for the public (open data), with small cells masked.
-- Everyone else (ARS, structures, CNSA, ministry) gets exact figures; only this export is masked, because the
-- figures of a very small structure (2 dossiers out of 3) could identify people. Python only writes the files
-- (dagster_project/publication/open_data/); the rule is here. docs/open_data.md states it in full.
--
-- Threshold t: EPARCOURS_OPEN_DATA_THRESHOLD (default 10), a whole number >= 1, checked when dbt compiles.
--   primary    a row of an indicator whose catalogue unit is '%' (not declarative) with its numerator or its
--              denominator between 1 and t inclusive (0 and NULL are not small: nothing to protect)
--   secondary  a "group" (the region, DAC and CPTS rows of one indicator, measure date and subgroup: the region
--              row is their sum) whose region row has figures must not hold exactly one masked row, or region
--              minus the published rows gives it back. Then the non-masked structure row that carries something
--              (numerator or denominator > 0: a 0/0 row hides nothing) with the smallest denominator (ties: the
--              smallest scope_id) is masked too; when no structure row can serve, the region row is, unless it
--              is the masked row itself. ESMS rows have no region row: primary only.
-- A masked row loses numerator, denominator, value and target_met (the side of the target); the target stays.
{%- set raw_threshold = env_var('EPARCOURS_OPEN_DATA_THRESHOLD', '10') %}
{%- if not modules.re.fullmatch('[0-9]+', raw_threshold.strip()) or (raw_threshold.strip() | int) < 1 %}
    {{ exceptions.raise_compiler_error(
        "EPARCOURS_OPEN_DATA_THRESHOLD must be a whole number of at least 1, not '" ~ raw_threshold ~ "'.") }}
{%- endif %}
{%- set threshold = raw_threshold.strip() | int %}
{{ config(alias='indicator_results_open') }}

with results as (
    select
        r.*,
        case
            -- the catalogue is the only place that says whether an indicator counts people
            when c.indicator_id is null then error('Indicator ' || r.indicator_id || ' is missing from '
                || 'ref_indicator_catalogue, so the open-data export cannot tell whether it counts people.')
            else coalesce(c.unit = '%', false) and c.computation is distinct from 'declarative'
        end as maskable
    from {{ ref('indicator_results') }} as r
    left join {{ ref('ref_indicator_catalogue') }} as c on c.indicator_id = r.indicator_id
),

flagged as (
    select
        *,
        maskable and coalesce(numerator between 1 and {{ threshold }}
                              or denominator between 1 and {{ threshold }}, false) as is_primary,
        maskable and scope_type in ('region', 'dac', 'cpts') as linked
    from results
),

candidates as (
    select
        *,
        -- a structure row that can hide a lone masked row: not masked already and carrying something
        linked and scope_type <> 'region' and not is_primary
            and (coalesce(numerator, 0) > 0 or coalesce(denominator, 0) > 0) as can_serve
    from flagged
),

grouped as (
    -- groups are formed among the linked rows only (the partition starts with `linked`); NULL subgroups group
    select
        *,
        count(*) filter (where scope_type = 'region') over grp as region_rows,
        coalesce(bool_or(scope_type = 'region' and (numerator is not null or denominator is not null)) over grp,
                 false) as region_has_figures,
        count(*) filter (where is_primary) over grp as primary_rows,
        coalesce(bool_or(can_serve) over grp, false) as any_can_serve,
        -- the partner: smallest denominator, then scope_id (then dac before cpts, the order rows are read in)
        row_number() over (partition by linked, indicator_id, measure_date, subgroup
                           order by can_serve desc, denominator asc nulls last, scope_id asc nulls last,
                                    scope_type desc) as partner_rank
    from candidates
    window grp as (partition by linked, indicator_id, measure_date, subgroup)
),

judged as (
    select
        *,
        case
            when linked and region_rows > 1 then error('Several region rows for ' || indicator_id || ' at '
                || measure_date || ': the export handles one region per file.')
            else linked and region_rows = 1 and region_has_figures and primary_rows = 1 and (
                (can_serve and partner_rank = 1)
                or (scope_type = 'region' and not any_can_serve and not is_primary))
        end as is_secondary
    from grouped
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
    case when is_primary or is_secondary then null else numerator end as numerator,
    case when is_primary or is_secondary then null else denominator end as denominator,
    case when is_primary or is_secondary then null else value end as value,
    target,
    case when is_primary or is_secondary then null else target_met end as target_met,
    status,
    reference_document,
    measure_date,
    evidence_reference,
    evidence_date,
    is_primary or is_secondary as masked,
    case when is_primary then 'primary' when is_secondary then 'secondary' end as mask_reason
from judged
