{{ indicator_config() }}
-- Audit of EP-6.4-EQUIPE, one row per dossier open at D of each DAC: in the denominator when its care team at D
-- has >= 1 member (int_coord_team_at_measure_date, as ind_ep_6_4_equipe), in the numerator with >= 2 distinct
-- professionals. The open dossiers whose team is not described are listed too (in neither), so that an auditor
-- drawing any dossier of the active file sees why it is left out. Evidence: the most recently added member of the
-- team at D (stg_coordination__equipe, the file in force at D, same date rule), else the dossier's snapshot row.
with members as (
    select
        d.measure_date,
        d.finess,
        d.dossier_id,
        d.snapshot_month,
        coalesce(t.n_professionals, 0) >= 1 as in_denominator,
        coalesce(t.n_professionals, 0) >= 2 as in_numerator
    from ({{ dac_dossiers('d.is_open_at_measure_date') }}) as d
    left join {{ ref('int_coord_team_at_measure_date') }} as t
        on t.measure_date = d.measure_date and t.dossier_id = d.dossier_id
),

team_file as (
    {{ snapshot_in_force('stg_coordination__equipe', 'file_month') }}
),

last_member as (
    select
        mb.measure_date,
        mb.dossier_id,
        t.professionnel_id,
        t.date_ajout,
        t._file_name,
        t._file_sha256,
        t._line_number
    from members as mb
    join team_file as tf using (measure_date)
    join {{ ref('stg_coordination__equipe') }} as t
        on t.file_month = tf.file_month and t.dossier_id = mb.dossier_id
    where (t.date_ajout is null or t.date_ajout <= mb.measure_date)
      and (t.date_retrait is null or t.date_retrait > mb.measure_date)
    qualify row_number() over (
        partition by mb.measure_date, mb.dossier_id
        order by t.date_ajout desc nulls last, t._line_number desc) = 1
)

select
    'EP-6.4-EQUIPE' as indicator_id,
    mb.measure_date,
    'dac' as scope_type,
    mb.finess as scope_id,
    cast(null as varchar) as subgroup,
    'dossier' as unit,
    mb.dossier_id as unit_id,
    mb.in_denominator,
    mb.in_numerator,
    case
        when mb.in_numerator then 'equipe_2_professionnels'
        when mb.in_denominator then 'equipe_1_professionnel'
        else 'equipe_non_decrite'
    end as reason_code,
    case when lm.professionnel_id is not null then 'membre' else 'dossier' end as evidence_kind,
    coalesce(lm.professionnel_id, sd.dossier_id) as evidence_id,
    case when lm.professionnel_id is not null then lm.date_ajout else sd.date_ouverture end as evidence_date,
    coalesce(lm._file_name, sd._file_name) as evidence_file,
    coalesce(lm._file_sha256, sd._file_sha256) as evidence_sha256,
    cast(coalesce(lm._line_number, sd._line_number) as bigint) as evidence_line
from members as mb
left join last_member as lm on lm.measure_date = mb.measure_date and lm.dossier_id = mb.dossier_id
left join {{ ref('stg_coordination__dossiers') }} as sd
    on sd.file_month = mb.snapshot_month and sd.dossier_id = mb.dossier_id
