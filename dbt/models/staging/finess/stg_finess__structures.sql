-- FINESS établissements (etalab stock, `structureet` lines), one row per EG and snapshot, typed.
-- The region comes from `departement`: FINESS overseas letters (9A..9F) -> INSEE département via
-- ref_finess_departement_outremer, 2A/2B and metropolitan codes as they are, then INSEE département ->
-- region via ref_departements.
with source as (
    select * from {{ source('finess', 'finess_structures') }}
),

cleaned as (
    select
        {{ delivery_date() }} as snapshot_date,
        {{ clean_text('nofinesset') }} as nofinesset,
        {{ clean_text('nofinessej') }} as nofinessej,
        {{ clean_text('rs') }} as rs,
        {{ clean_text('rslongue') }} as rslongue,
        {{ clean_text('complrs') }} as complrs,
        {{ clean_text('compldistrib') }} as compldistrib,
        {{ clean_text('numvoie') }} as numvoie,
        {{ clean_text('typvoie') }} as typvoie,
        {{ clean_text('voie') }} as voie,
        {{ clean_text('compvoie') }} as compvoie,
        {{ clean_text('lieuditbp') }} as lieuditbp,
        {{ clean_text('commune') }} as commune,
        upper({{ clean_text('departement') }}) as departement,
        {{ clean_text('libdepartement') }} as libdepartement,
        {{ clean_text('ligneacheminement') }} as ligneacheminement,
        {{ clean_text('telephone') }} as telephone,
        {{ clean_text('telecopie') }} as telecopie,
        {{ clean_text('categetab') }} as categetab,
        {{ clean_text('libcategetab') }} as libcategetab,
        {{ clean_text('categagretab') }} as categagretab,
        {{ clean_text('libcategagretab') }} as libcategagretab,
        {{ clean_text('siret') }} as siret,
        {{ clean_text('codeape') }} as codeape,
        {{ clean_text('codemft') }} as codemft,
        {{ clean_text('libmft') }} as libmft,
        {{ clean_text('codesph') }} as codesph,
        {{ clean_text('libsph') }} as libsph,
        {{ parse_date('dateouv') }} as dateouv,
        {{ parse_date('dateautor') }} as dateautor,
        {{ parse_date('datemaj') }} as datemaj,
        {{ clean_text('numuai') }} as numuai,
        {{ lineage_columns() }}
    from source
)

select
    cleaned.snapshot_date,
    cleaned.nofinesset,
    cleaned.nofinessej,
    cleaned.rs,
    cleaned.rslongue,
    cleaned.complrs,
    cleaned.compldistrib,
    cleaned.numvoie,
    cleaned.typvoie,
    cleaned.voie,
    cleaned.compvoie,
    cleaned.lieuditbp,
    cleaned.commune,
    cleaned.departement,
    cleaned.libdepartement,
    cleaned.ligneacheminement,
    cleaned.telephone,
    cleaned.telecopie,
    cleaned.categetab,
    cleaned.libcategetab,
    cleaned.categagretab,
    cleaned.libcategagretab,
    cleaned.siret,
    cleaned.codeape,
    cleaned.codemft,
    cleaned.libmft,
    cleaned.codesph,
    cleaned.libsph,
    cleaned.dateouv,
    cleaned.dateautor,
    cleaned.datemaj,
    cleaned.numuai,
    coalesce(outremer.insee_dep, departements.dep) as insee_departement,
    departements.reg as code_region,
    {{ is_valid_finess('cleaned.nofinesset') }} as nofinesset_valid,
    {{ is_valid_finess('cleaned.nofinessej') }} as nofinessej_valid,
    {{ is_digits('cleaned.siret', 14) }} as siret_valid,
    {{ in_code_list('cleaned.categetab', 'ref_tre_r66_categorie_etablissement') }} as categetab_in_list,
    cleaned._delivery_key,
    cleaned._file_name,
    cleaned._file_sha256,
    cleaned._line_number,
    cleaned._ingested_at
from cleaned
left join {{ ref('ref_finess_departement_outremer') }} as outremer
    on outremer.finess_departement = cleaned.departement
left join {{ ref('ref_departements') }} as departements
    on departements.dep = coalesce(outremer.insee_dep, cleaned.departement)
