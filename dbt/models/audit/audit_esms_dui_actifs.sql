{{ indicator_config() }}
-- Auditors' trail of ESMS-DUI-ACTIFS (ind_esms_dui_actifs): DUI actifs / personnes accompagnées, per ESMS in force.
--   numerator    one row per DUI actif (unit `dui`, int_dui_actifs_at_measure_date of the ESMS in force):
--                DUI_MIS_A_JOUR, evidence = the latest update of the period (macro audit_esms_dui_actifs)
--   denominator  the declared mean file active is a number, not a list: one row per year of esms_file_active used
--                (unit `file_active`, unit_id `<année>:<file active of that year>`, the file active being
--                effectif_31_12 + sorties_definitives), FA_ANNEE_RETENUE, in_denominator; evidence = the row of
--                the snapshot in force. The indicator's denominator is NOT the count of these rows: it is the mean
--                of their declared counts rounded half up, floor((2 * sum + n) / (2 * n)) over the n rows (0 when
--                there is none), as int_esms_personnes_accompagnees computes it. The years of Y-3..Y-1 of that
--                snapshot left out because the ESMS is declared atypique get a row FA_ANNEE_NON_RETENUE, in neither.
with dates as (
    select measure_date from {{ ref('int_measure_dates') }}
),

actifs as (
    {{ audit_esms_dui_actifs() }}
),

numerator_rows as (
    select
        measure_date, finess_geo, 'dui' as unit, dossier_id as unit_id,
        false as in_denominator, true as in_numerator, 'DUI_MIS_A_JOUR' as reason_code,
        'evenement' as evidence_kind, event_id as evidence_id, event_at_date as evidence_date,
        _file_name as evidence_file, _file_sha256 as evidence_sha256, _line_number as evidence_line
    from actifs
),

file_active as (
    select p.measure_date, p.finess_geo, p.file_active_snapshot_date, p.annees_file_active
    from {{ ref('int_esms_personnes_accompagnees') }} as p
    join {{ ref('int_esms_in_force_at_measure_date') }} as e using (measure_date, finess_geo)
    where p.measure_date in (select measure_date from dates)
),

year_rows as (
    select
        fa.measure_date,
        fa.finess_geo,
        'file_active' as unit,
        cast(f.annee as varchar) || ':' || cast(f.effectif_31_12 + f.sorties_definitives as varchar) as unit_id,
        coalesce(list_contains(string_split(fa.annees_file_active, ','), cast(f.annee as varchar)), false)
            as in_denominator,
        false as in_numerator,
        'file_active' as evidence_kind,
        cast(f.annee as varchar) as evidence_id,
        f.snapshot_date as evidence_date,
        f._file_name as evidence_file,
        f._file_sha256 as evidence_sha256,
        f._line_number as evidence_line
    from file_active as fa
    join {{ ref('stg_dui__esms_file_active') }} as f
        on f.snapshot_date = fa.file_active_snapshot_date
       and f.finess_geo = fa.finess_geo
       and f.annee between year(fa.measure_date) - 3 and year(fa.measure_date) - 1
),

denominator_rows as (
    select
        measure_date, finess_geo, unit, unit_id, in_denominator, in_numerator,
        case when in_denominator then 'FA_ANNEE_RETENUE' else 'FA_ANNEE_NON_RETENUE' end as reason_code,
        evidence_kind, evidence_id, evidence_date, evidence_file, evidence_sha256, evidence_line
    from year_rows
),

rows as (
    select * from numerator_rows
    union all
    select * from denominator_rows
)

{{ audit_esms_select('ESMS-DUI-ACTIFS', 'rows') }}
