{#-
    The auditors' trail of the five ESMS Numérique indicators (models/audit/audit_esms_*): the pieces they share,
    written once. Each macro is a query (wrap it in a CTE). Membership is always read from the intermediate models the
    indicators read; staging is joined only to find the row that proves it (file, SHA-256, line).
-#}

{#- The DUI actifs counted at each measure date of this run: the rows of int_dui_actifs_at_measure_date of the ESMS
    in force at D (the indicators left-join the actifs to int_esms_in_force_at_measure_date: an ESMS not in force is
    never counted), with the evidence of « actif »: the latest update of the period, i.e. the event of
    stg_dui__evenements dated last_update_date (the intermediate's own date) that is an update (UTILISATEUR, business
    event type: the rule of int_dui_actifs_at_measure_date, macro esms_business_event_types); ties broken by the
    latest instant, then the greatest event id, then the file and line. -#}
{% macro audit_esms_dui_actifs() -%}
    with actifs as (
        select a.measure_date, a.finess_geo, a.dossier_id, a.last_update_date, a.has_valid_pp, a.has_agenda_event
        from {{ ref('int_dui_actifs_at_measure_date') }} as a
        join {{ ref('int_esms_in_force_at_measure_date') }} as e using (measure_date, finess_geo)
        where a.measure_date in (select measure_date from {{ ref('int_measure_dates') }})
    ),

    last_update as (
        select
            a.measure_date, a.finess_geo, a.dossier_id,
            ev.event_id, ev.event_at_date, ev._file_name, ev._file_sha256, ev._line_number
        from actifs as a
        join {{ ref('stg_dui__evenements') }} as ev
            on ev.finess_geo = a.finess_geo
           and ev.dossier_id = a.dossier_id
           and ev.event_at_date = a.last_update_date
        where ev.actor_type = 'UTILISATEUR'
          and ev.event_type in {{ esms_business_event_types() }}
        qualify row_number() over (
            partition by a.measure_date, a.finess_geo, a.dossier_id
            order by ev.event_at desc, ev.event_id desc, ev._file_name desc, ev._line_number
        ) = 1
    )

    select
        a.measure_date, a.finess_geo, a.dossier_id, a.has_valid_pp, a.has_agenda_event,
        u.event_id, u.event_at_date, u._file_name, u._file_sha256, u._line_number
    from actifs as a
    left join last_update as u using (measure_date, finess_geo, dossier_id)
{%- endmacro %}

{#- For each ESMS x dossier x measure date of this run, the one projet personnalisé of the snapshot in force
    (int_dui_projets_at_measure_date) that says best why the dossier is or is not in the numerator of ESMS-DUI-PP,
    with its landing row (stg_dui__projets of the snapshot month). projet_rank, from the intermediate's flags:
      1  is_valid_pp (PP_VALIDE; evidence date = the date written in last_updated_at)
      2  actif or en préparation but never updated since its creation (PP_NON_MIS_A_JOUR; date = created_at)
      3  MISE_EN_OEUVRE or PREPARATION ending on or before D (PP_TERMINE; date = date_fin)
      4  PREPARATION created on or after D (PP_PREPARATION_NON_ANTERIEURE; date = created_at)
      5  anything else: CLOS (PP_CLOS; date = last update, else creation)
    The best rank wins, then the latest last_updated_at, then the projet id. -#}
{% macro audit_esms_projet_evidence() -%}
    with ranked as (
        select
            p.measure_date, p.finess_geo, p.dossier_id, p.projet_id, p.snapshot_month,
            case
                when p.is_valid_pp then 1
                when p.is_actif or p.is_en_preparation then 2
                when p.statut in ('MISE_EN_OEUVRE', 'PREPARATION') and not p.ends_after_measure_date then 3
                when p.statut = 'PREPARATION' then 4
                else 5
            end as projet_rank,
            p.created_at_date,
            p.date_fin,
            p.last_updated_at
        from {{ ref('int_dui_projets_at_measure_date') }} as p
        where p.measure_date in (select measure_date from {{ ref('int_measure_dates') }})
        qualify row_number() over (
            partition by p.measure_date, p.finess_geo, p.dossier_id
            order by projet_rank, p.last_updated_at desc nulls last, p.projet_id
        ) = 1
    )

    select
        r.measure_date, r.finess_geo, r.dossier_id, r.projet_id, r.projet_rank,
        case r.projet_rank
            when 1 then 'PP_VALIDE'
            when 2 then 'PP_NON_MIS_A_JOUR'
            when 3 then 'PP_TERMINE'
            when 4 then 'PP_PREPARATION_NON_ANTERIEURE'
            else 'PP_CLOS'
        end as reason_code,
        case r.projet_rank
            when 1 then s.last_updated_at_date
            when 2 then r.created_at_date
            when 3 then r.date_fin
            when 4 then r.created_at_date
            else coalesce(s.last_updated_at_date, r.created_at_date)
        end as evidence_date,
        s._file_name, s._file_sha256, s._line_number
    from ranked as r
    left join {{ ref('stg_dui__projets') }} as s
        on s.file_month = r.snapshot_month
       and s.finess_geo = r.finess_geo
       and s.projet_id = r.projet_id
{%- endmacro %}

{#- The columns of the audit contract (models/audit/README.md), in order, from a CTE that has them under these
    names (no subgroup in ESMS Numérique; scope_type `esms`, scope_id the FINESS géographique). -#}
{% macro audit_esms_select(indicator_id, rows) -%}
select
    cast('{{ indicator_id }}' as varchar) as indicator_id,
    cast(measure_date as date) as measure_date,
    cast('esms' as varchar) as scope_type,
    cast(finess_geo as varchar) as scope_id,
    cast(null as varchar) as subgroup,
    cast(unit as varchar) as unit,
    cast(unit_id as varchar) as unit_id,
    cast(in_denominator as boolean) as in_denominator,
    cast(in_numerator as boolean) as in_numerator,
    cast(reason_code as varchar) as reason_code,
    cast(evidence_kind as varchar) as evidence_kind,
    cast(evidence_id as varchar) as evidence_id,
    cast(evidence_date as date) as evidence_date,
    cast(evidence_file as varchar) as evidence_file,
    cast(evidence_sha256 as varchar) as evidence_sha256,
    cast(evidence_line as bigint) as evidence_line
from {{ rows }}
{%- endmacro %}
