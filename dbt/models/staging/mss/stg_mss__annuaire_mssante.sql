-- Public MSSanté directory extraction (Extraction_Correspondance_MSSante, 31 columns), one row per
-- line and snapshot. The French headers are renamed to snake_case; values are trimmed text.
-- Indicator EP-5.2 only needs the snapshot date (the extraction date of the file name).
{%- set columns = [
    ("Type de BAL", "type_bal"),
    ("Adresse BAL", "adresse_bal"),
    ("Type Identifiant PP", "type_identifiant_pp"),
    ("Identifiant PP", "identifiant_pp"),
    ("Identification nationale PP", "identification_nationale_pp"),
    ("Type identifiant structure", "type_identifiant_structure"),
    ("Identification Structure", "identification_structure"),
    ("Service de rattachement", "service_rattachement"),
    ("Civilité d'exercice", "civilite_exercice"),
    ("Nom d'exercice", "nom_exercice"),
    ("Prénom d'exercice", "prenom_exercice"),
    ("Catégorie professionnelle", "categorie_professionnelle"),
    ("Libellé catégorie professionnelle", "libelle_categorie_professionnelle"),
    ("Code profession", "code_profession"),
    ("Libellé profession", "libelle_profession"),
    ("Code savoir-faire", "code_savoir_faire"),
    ("Libellé savoir-faire", "libelle_savoir_faire"),
    ("Dématérialisation", "dematerialisation"),
    ("Raison sociale structure BAL", "raison_sociale_structure_bal"),
    ("Enseigne commerciale structure BAL", "enseigne_commerciale_structure_bal"),
    ("Complément localisation structure BAL", "complement_localisation_structure_bal"),
    ("Complément distribution structure BAL", "complement_distribution_structure_bal"),
    ("Numéro de voie structure BAL", "numero_voie_structure_bal"),
    ("Complément numéro de voie structure BAL", "complement_numero_voie_structure_bal"),
    ("Type de voie structure BAL", "type_voie_structure_bal"),
    ("Libellé de voie structure BAL", "libelle_voie_structure_bal"),
    ("Lieu-dit structure BAL", "lieu_dit_structure_bal"),
    ("Ligne d'acheminement structure BAL", "ligne_acheminement_structure_bal"),
    ("Code postal", "code_postal"),
    ("Département", "departement"),
    ("Pays", "pays"),
] %}

with source as (
    select * from {{ source('mss', 'annuaire_mssante') }}
)

select
    {{ delivery_date() }} as snapshot_date,
    {%- for raw_name, name in columns %}
    "{{ raw_name }}" as {{ name }},
    {%- endfor %}
    {{ lineage_columns() }}
from source
