-- ROR unités élémentaires, one row per UE and snapshot, typed. Each coded field gets an `_in_list`
-- flag (a code outside its list counts as absent): type_oi in TRE_R207, champ_activite in TRE_R227,
-- mode_prise_en_charge in the ROR value set JDV_J19 (TRE_R213 codes marked in_JDV_J19 = O).
with source as (
    select * from {{ source('ror', 'ror_ue') }}
),

cleaned as (
    select
        {{ delivery_date() }} as snapshot_date,
        id_ue,
        id_eg,
        nom_ue,
        type_oi,
        champ_activite,
        mode_prise_en_charge,
        cast(age_min as integer) as age_min,
        cast(age_max as integer) as age_max,
        libelle_voie,
        lieu_dit,
        code_postal,
        localite,
        code_commune,
        date_fermeture_definitive,
        date_maj,
        {{ lineage_columns() }}
    from source
)

select
    snapshot_date,
    id_ue,
    id_eg,
    nom_ue,
    type_oi,
    champ_activite,
    mode_prise_en_charge,
    age_min,
    age_max,
    libelle_voie,
    lieu_dit,
    code_postal,
    localite,
    code_commune,
    date_fermeture_definitive,
    date_maj,
    {{ in_code_list('type_oi', 'ref_tre_r207_type_organisation_interne') }} as type_oi_in_list,
    {{ in_code_list('champ_activite', 'ref_tre_r227_champ_activite') }} as champ_activite_in_list,
    {{ in_code_list('mode_prise_en_charge', 'ref_tre_r213_mode_prise_en_charge',
                    where="in_JDV_J19_ModePriseEnCharge_ROR = 'O'") }} as mode_prise_en_charge_in_list,
    _delivery_key,
    _file_name,
    _file_sha256,
    _line_number,
    _ingested_at
from cleaned
