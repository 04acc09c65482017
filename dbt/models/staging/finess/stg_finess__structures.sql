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
        nofinesset,
        nofinessej,
        rs,
        rslongue,
        complrs,
        compldistrib,
        numvoie,
        typvoie,
        voie,
        compvoie,
        lieuditbp,
        commune,
        upper(departement) as departement,
        libdepartement,
        ligneacheminement,
        telephone,
        telecopie,
        categetab,
        libcategetab,
        categagretab,
        libcategagretab,
        siret,
        codeape,
        codemft,
        libmft,
        codesph,
        libsph,
        dateouv,
        dateautor,
        datemaj,
        numuai,
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
