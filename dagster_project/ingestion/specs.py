"""The landing contract as data: one ``TableSpec`` per landing table.

Everything that reads, writes or checks a landing file (the ingestion, the synthetic generator, the
raw-table DDL, the docs) takes the columns and rules from here, so the contract
(``docs/landing.md``) is written down once.

Raw tables store every value typed once, at ingestion (``rules.raw_type``: dates, timestamps with the
calendar date written in them, integers, numbers; codes and identifiers as trimmed text); the row-level rules
below decide whether a row is loaded or quarantined, and the quarantine keeps the offending text as delivered.

Rule vocabulary (``Column.rule``):
    text        any text
    date        ISO ``YYYY-MM-DD``
    timestamp   ISO 8601 with offset ``YYYY-MM-DDTHH:MM:SS+HH:MM`` (or ``Z``)
    int         an integer (optionally signed)
    decimal     a decimal number (``.`` or ``,`` as separator)
    finess      9 characters, département prefix, Luhn check digit
    ins         15 characters, NIR key (97 - n mod 97, 2A->19, 2B->18)
    rpps        11 digits
    siret       14 digits
    galis       8 digits
    enum        one of ``Column.values``
    codelist    one of the codes of the seed ``Column.codelist`` (a CSV under ``seeds/``)

``on_error``: ``reject`` quarantines the row (it is not loaded); ``flag`` keeps the row and records the
value in ``raw.quarantine`` with severity ``flagged`` (an invalid optional identifier, a ROR code outside
its list which then "counts as absent").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

SOURCES = ("finess", "ror", "mss", "dmp", "dui", "coordination", "declaratif")

# Lineage columns added to every raw table.
LINEAGE_COLUMNS = (
    ("_delivery_key", "VARCHAR"),  # YYYY-MM (monthly files) or YYYY-MM-DD (dated snapshots)
    ("_file_name", "VARCHAR"),
    ("_file_sha256", "VARCHAR"),
    ("_line_number", "BIGINT"),
    ("_ingested_at", "TIMESTAMP WITH TIME ZONE"),
    ("_extra", "JSON"),  # extra columns found in the file, kept as {name: value}
)


@dataclass(frozen=True)
class Column:
    name: str
    rule: str = "text"
    required: bool = False
    on_error: str = "reject"  # reject | flag
    values: tuple[str, ...] = ()
    codelist: str | None = None  # seed name, e.g. "ref_tre_r66_categorie_etablissement"


@dataclass(frozen=True)
class TableSpec:
    name: str  # raw table name (schema raw)
    source: str  # landing sub-folder
    pattern: str  # regex on the file name; group "key" gives the delivery key
    kind: str  # event_monthly | snapshot_monthly | snapshot_dated
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # natural key within one delivery: a repeated key is quarantined (duplicate_key)
    event_column: str | None = None  # event tables: the timestamp whose local date places a row in a period
    structure_column: str | None = None  # the structure each row belongs to (volume judged per structure too)
    structure_reference: str | None = None  # finess | coordination: the snapshot telling whether it is in force
    delimiter: str = ";"
    layout: str = "csv"  # csv | finess_etalab
    description: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def match(self, file_name: str) -> str | None:
        m = re.fullmatch(self.pattern, file_name, flags=re.IGNORECASE)
        if not m:
            return None
        key = m.group("key")
        if len(key) == 8 and key.isdigit():  # YYYYMMDD -> ISO date
            key = f"{key[:4]}-{key[4:6]}-{key[6:]}"
        return key


def C(name, rule="text", required=False, on_error="reject", values=(), codelist=None) -> Column:
    return Column(name, rule, required, on_error, tuple(values), codelist)


# A re-delivery of the same month or snapshot date carries a suffix: x_2024-03_v2.csv replaces x_2024-03_v1.csv,
# which replaces x_2024-03.csv; another suffix (x_2024-03_20240415.csv, x_2024-03_corrige.csv) comes after the
# plain name and before any _vN, in name order (discovery.py: the name decides, never the clock).
VERSION = r"(?:_(?:v(?P<version>\d+)|(?P<suffix>[^/]+?)))?"
MONTH = r"(?P<key>\d{4}-\d{2})" + VERSION + r"\.csv"
DAY = r"(?P<key>\d{8})" + VERSION + r"\.csv"
ETALAB = r"etalab-cs11005\d\d-stock-(?P<key>\d{8})-(?P<time>\d{4})" + VERSION + r"\.csv"
YN = ("O", "N")

FINESS_STRUCTUREET_COLUMNS = (
    "section", "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib", "numvoie",
    "typvoie", "voie", "compvoie", "lieuditbp", "commune", "departement", "libdepartement",
    "ligneacheminement", "telephone", "telecopie", "categetab", "libcategetab", "categagretab",
    "libcategagretab", "siret", "codeape", "codemft", "libmft", "codesph", "libsph", "dateouv",
    "dateautor", "datemaj", "numuai",
)
FINESS_GEOLOCALISATION_COLUMNS = ("section", "nofinesset", "coordxet", "coordyet", "sourcecoordet", "datemaj")

# The public "Extraction_Correspondance_MSSante" layout (31 columns, "|" separated). Only the first
# two are required by the warehouse; the others are kept as delivered.
ANNUAIRE_MSSANTE_COLUMNS = (
    "Type de BAL", "Adresse BAL", "Type Identifiant PP", "Identifiant PP", "Identification nationale PP",
    "Type identifiant structure", "Identification Structure", "Service de rattachement",
    "Civilité d'exercice", "Nom d'exercice", "Prénom d'exercice", "Catégorie professionnelle",
    "Libellé catégorie professionnelle", "Code profession", "Libellé profession", "Code savoir-faire",
    "Libellé savoir-faire", "Dématérialisation", "Raison sociale structure BAL",
    "Enseigne commerciale structure BAL", "Complément localisation structure BAL",
    "Complément distribution structure BAL", "Numéro de voie structure BAL",
    "Complément numéro de voie structure BAL", "Type de voie structure BAL", "Libellé de voie structure BAL",
    "Lieu-dit structure BAL", "Ligne d'acheminement structure BAL", "Code postal", "Département", "Pays",
)
assert len(ANNUAIRE_MSSANTE_COLUMNS) == 31

DUI_EVENT_TYPES_BUSINESS = (
    "AGENDA", "PRESCRIPTION", "TRANSMISSION", "PROJET_PERSONNALISE", "EVALUATION", "DOCUMENT", "SOIN",
    "ACCOMPAGNEMENT",
)
DUI_EVENT_TYPES_NON_BUSINESS = (
    "CORRECTION_IDENTITE", "TECHNIQUE", "ADMINISTRATIF", "CONSULTATION", "RECEPTION_MSS",
    "INTEGRATION_EXTERNE",
)
COORD_EVENT_TYPES = (
    "MISE_A_JOUR", "EVALUATION", "NOTIFICATION", "ALERTE", "CARNET_LIAISON", "DOCUMENT", "PPS", "CONSULTATION",
)
EVALUATION_TYPES = ("OEMD", "FAM", "INTERRAI_HC", "RECUPEREE", "AUTRE")
DECLARATIVE_INDICATORS = ("1.1", "1.2", "2.1", "2.2", "3.1", "4.1", "5.1", "6.6")

SPECS: tuple[TableSpec, ...] = (
    # ---------------------------------------------------------------- finess
    TableSpec(
        "finess_structures", "finess", ETALAB,
        "snapshot_dated",
        (
            C("section", "enum", True, values=("structureet",)),
            C("nofinesset", "finess", True),
            C("nofinessej", "finess", True, on_error="flag"),
            C("rs", required=True),
            *(C(n) for n in FINESS_STRUCTUREET_COLUMNS[4:13]),
            C("departement", required=True),
            *(C(n) for n in FINESS_STRUCTUREET_COLUMNS[14:18]),
            C("categetab", "codelist", True, on_error="flag", codelist="ref_tre_r66_categorie_etablissement"),
            *(C(n) for n in FINESS_STRUCTUREET_COLUMNS[19:22]),
            C("siret", "siret", on_error="flag"),
            *(C(n) for n in FINESS_STRUCTUREET_COLUMNS[23:28]),
            C("dateouv", "date"), C("dateautor", "date"), C("datemaj", "date"), C("numuai"),
        ),
        key=("nofinesset",), layout="finess_etalab",
        description="FINESS établissements (etalab stock file, `structureet` lines), one snapshot per file.",
    ),
    TableSpec(
        "finess_geolocalisation", "finess", ETALAB,
        "snapshot_dated",
        (
            C("section", "enum", True, values=("geolocalisation",)),
            C("nofinesset", "finess", True),
            C("coordxet", "decimal"), C("coordyet", "decimal"), C("sourcecoordet"), C("datemaj", "date"),
        ),
        key=("nofinesset",), layout="finess_etalab",
        description="FINESS geolocation (etalab stock file, `geolocalisation` lines), one snapshot per file.",
    ),
    TableSpec(
        "finess_autorisations", "finess", r"autorisations_" + DAY, "snapshot_dated",
        (
            C("nofinessej", "finess", on_error="flag"), C("nofinesset", "finess", True),
            C("activite", required=True), C("libactivite"), C("modalite"), C("libmodalite"),
            C("forme", required=True), C("libforme"), C("noautor"),
            C("dateautor", "date"), C("datemeo", "date"), C("datefin", "date"),
        ),
        key=("nofinesset", "activite", "modalite", "forme", "noautor"),
        description="Activités de soins soumises à autorisation (FINESS XSD cs1400103 field names).",
    ),
    # ---------------------------------------------------------------- ror
    TableSpec(
        "ror_eg", "ror", r"ror_eg_" + DAY, "snapshot_dated",
        (
            C("id_eg", required=True), C("finess_eg", "finess", True), C("finess_ej", "finess", on_error="flag"),
            C("raison_sociale"),
            C("categorie_eg", "codelist", on_error="flag", codelist="ref_tre_r66_categorie_etablissement"),
            C("code_region"), C("date_fermeture_definitive", "date"),
        ),
        key=("id_eg",), description="ROR entités géographiques.",
    ),
    TableSpec(
        "ror_ue", "ror", r"ror_ue_" + DAY, "snapshot_dated",
        (
            C("id_ue", required=True), C("id_eg", required=True), C("nom_ue"),
            C("type_oi", "codelist", on_error="flag", codelist="ref_tre_r207_type_organisation_interne"),
            C("champ_activite", "codelist", on_error="flag", codelist="ref_tre_r227_champ_activite"),
            C("mode_prise_en_charge", "codelist", on_error="flag", codelist="ref_tre_r213_mode_prise_en_charge"),
            C("age_min", "int", on_error="flag"), C("age_max", "int", on_error="flag"),
            C("libelle_voie"), C("lieu_dit"), C("code_postal"), C("localite"), C("code_commune"),
            C("date_fermeture_definitive", "date"), C("date_maj", "date"),
        ),
        key=("id_ue",), description="ROR unités élémentaires (UE).",
    ),
    TableSpec(
        "ror_ue_activite", "ror", r"ror_ue_activite_" + DAY, "snapshot_dated",
        (
            C("id_ue", required=True),
            C("activite_operationnelle", "codelist", on_error="flag",
              codelist="ref_jdv_j17_activite_operationnelle_ror"),
        ),
        key=("id_ue", "activite_operationnelle"), description="ROR activités opérationnelles of each UE.",
    ),
    TableSpec(
        "ror_ue_contact", "ror", r"ror_ue_contact_" + DAY, "snapshot_dated",
        (
            C("id_ue", required=True), C("fonction_contact"), C("nature_contact"), C("canal"),
            C("adresse_telecom"), C("niveau_confidentialite"),
        ),
        key=("id_ue", "fonction_contact", "nature_contact", "canal", "adresse_telecom", "niveau_confidentialite"),
        description="ROR contacts of each UE.",
    ),
    # ---------------------------------------------------------------- mss
    TableSpec(
        "mss_messages", "mss", r"mss_messages_" + MONTH, "event_monthly",
        (
            C("message_id", required=True), C("sent_at", "timestamp", True), C("sender_bal", required=True),
            C("sender_bal_type", "enum", True, values=("PER", "ORG", "APP", "CAB")),
            C("sender_finess", "finess", on_error="flag"), C("recipient_count", "int"),
            C("recipient_classes"), C("x_mss_ins", "enum", values=YN), C("x_mss_codecda"),
            C("size_bytes", "int"), C("attachments", "int"),
            C("delivery_status", "enum", True, values=("DELIVERED", "BOUNCED", "FAILED")),
        ),
        key=("message_id",), event_column="sent_at", structure_column="sender_finess", structure_reference="finess",
        description="MSSanté operator log, one row per message sent.",
    ),
    TableSpec(
        "annuaire_mssante", "mss", r"annuaire_mssante_" + DAY, "snapshot_dated",
        tuple(C(n, required=n in ("Type de BAL", "Adresse BAL")) for n in ANNUAIRE_MSSANTE_COLUMNS),
        key=("Adresse BAL", "Identification nationale PP", "Identification Structure"),
        delimiter="|", description="Public MSSanté directory extraction (Extraction_Correspondance_MSSante).",
    ),
    # ---------------------------------------------------------------- dmp
    TableSpec(
        "dmp_documents", "dmp", r"dmp_documents_" + MONTH, "event_monthly",
        (
            C("document_id", required=True), C("submitted_at", "timestamp", True),
            C("patient_ins", "ins", on_error="flag"),
            C("ins_oid", "enum", values=("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9",
                                          "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11")),
            C("type_code", "codelist", True, codelist="ref_jdv_j07_xds_type_code"),
            C("format_code", "codelist", on_error="flag", codelist="ref_jdv_j10_xds_format_code"),
            C("class_code"), C("author_finess", "finess", on_error="flag"), C("author_rpps", "rpps", on_error="flag"),
            C("author_system", "enum", values=("COORDINATION", "DUI", "HOPITAL", "LIBERAL")),
            C("status", "enum", True, values=("APPROVED", "DEPRECATED", "DELETED")),
        ),
        key=("document_id",), event_column="submitted_at", structure_column="author_finess",
        structure_reference="finess", description="DMP documents registered (XDS metadata).",
    ),
    # ---------------------------------------------------------------- dui
    TableSpec(
        "dui_dossiers", "dui", r"dui_dossiers_" + MONTH, "snapshot_monthly",
        (
            C("finess_geo", "finess", True), C("dossier_id", required=True), C("usager_id"),
            C("ins", "ins", on_error="flag"), C("date_admission", "date"), C("date_sortie", "date"),
            C("motif_sortie", "enum", values=("DEFINITIVE", "TEMPORAIRE")),
        ),
        key=("finess_geo", "dossier_id"), structure_column="finess_geo", structure_reference="finess",
        description="DUI dossiers, snapshot at month end.",
    ),
    TableSpec(
        "dui_evenements", "dui", r"dui_evenements_" + MONTH, "event_monthly",
        (
            C("finess_geo", "finess", True), C("dossier_id", required=True), C("event_id", required=True),
            C("event_at", "timestamp", True),
            C("event_type", "enum", True, values=DUI_EVENT_TYPES_BUSINESS + DUI_EVENT_TYPES_NON_BUSINESS),
            C("actor_type", "enum", True, values=("UTILISATEUR", "SYSTEME_EXTERNE")), C("actor_id"),
        ),
        key=("finess_geo", "event_id"), event_column="event_at", structure_column="finess_geo",
        structure_reference="finess", description="DUI events (audit trail of the DUI software).",
    ),
    TableSpec(
        "dui_projets", "dui", r"dui_projets_" + MONTH, "snapshot_monthly",
        (
            C("finess_geo", "finess", True), C("dossier_id", required=True), C("projet_id", required=True),
            C("created_at", "timestamp", True), C("last_updated_at", "timestamp"),
            C("date_debut", "date"), C("date_fin", "date"),
            C("statut", "enum", True, values=("PREPARATION", "MISE_EN_OEUVRE", "CLOS")),
        ),
        key=("finess_geo", "projet_id"), structure_column="finess_geo", structure_reference="finess",
        description="Projets personnalisés, snapshot at month end.",
    ),
    TableSpec(
        "dui_agenda", "dui", r"dui_agenda_" + MONTH, "event_monthly",
        (
            C("finess_geo", "finess", True), C("dossier_id", required=True), C("agenda_id", required=True),
            C("start_at", "timestamp", True), C("duree_minutes", "int"),
            C("nature", "enum", True, values=("ACTIVITE", "ACTIVITE_COLLECTIVE", "ADMINISTRATION", "TRANSMISSION")),
        ),
        key=("finess_geo", "agenda_id"), event_column="start_at", structure_column="finess_geo",
        structure_reference="finess", description="DUI agenda entries.",
    ),
    TableSpec(
        "esms_file_active", "dui", r"esms_file_active_" + DAY, "snapshot_dated",
        (
            C("finess_geo", "finess", True), C("annee", "int", True), C("effectif_31_12", "int", True),
            C("sorties_definitives", "int", True), C("atypique", "enum", True, values=YN),
        ),
        key=("finess_geo", "annee"), structure_column="finess_geo", structure_reference="finess",
        description="ESMS file active by year (ARS reference file).",
    ),
    TableSpec(
        "esms_projets", "dui", r"esms_projets_" + DAY, "snapshot_dated",
        (
            C("galis_ref", "galis", True), C("siret_porteur", "siret", True), C("finess_geo", "finess", True),
            C("raison_sociale", required=True), C("signataire_nom"), C("signataire_qualite"),
        ),
        key=("finess_geo",), description="ESMS Numérique funded projects (GALIS), one row per ESMS.",
    ),
    # ---------------------------------------------------------------- coordination
    TableSpec(
        "coord_structures", "coordination", r"coord_structures_" + DAY, "snapshot_dated",
        (
            C("structure_id", required=True), C("finess", "finess", True),
            C("type", "enum", True, values=("DAC", "CPTS")), C("nom"),
            C("reseau_social", "enum", True, values=YN), C("dossier_coordination", "enum", True, values=YN),
        ),
        key=("structure_id",), description="DAC and CPTS using the regional coordination tool.",
    ),
    TableSpec(
        "coord_dossiers", "coordination", r"coord_dossiers_" + MONTH, "snapshot_monthly",
        (
            C("dossier_id", required=True), C("structure_id", required=True), C("usager_id"),
            C("ins", "ins", on_error="flag"),
            C("ins_statut", "enum", values=("VALI", "PROV", "RECUP", "VIDE")),
            C("date_demande", "date"), C("date_ouverture", "date"), C("date_cloture", "date"),
        ),
        key=("dossier_id",), structure_column="structure_id", structure_reference="coordination",
        description="Coordination dossiers, snapshot at month end.",
    ),
    TableSpec(
        "coord_evenements", "coordination", r"coord_evenements_" + MONTH, "event_monthly",
        (
            C("event_id", required=True), C("dossier_id", required=True), C("event_at", "timestamp", True),
            C("event_type", "enum", True, values=COORD_EVENT_TYPES),
            C("evaluation_type", "enum", values=EVALUATION_TYPES), C("actor_id"),
        ),
        key=("event_id",), event_column="event_at", description="Coordination dossier events.",
    ),
    TableSpec(
        "coord_equipe", "coordination", r"coord_equipe_" + MONTH, "snapshot_monthly",
        (
            C("dossier_id", required=True), C("professionnel_id", required=True), C("profession"),
            C("date_ajout", "date"), C("date_retrait", "date"),
        ),
        key=("dossier_id", "professionnel_id", "date_ajout"),
        description="Care team of each coordination dossier, snapshot at month end.",
    ),
    TableSpec(
        "coord_messages", "coordination", r"coord_messages_" + MONTH, "event_monthly",
        (
            C("message_id", required=True), C("structure_id", required=True), C("dossier_id"),
            C("author_id", required=True), C("posted_at", "timestamp", True),
        ),
        key=("message_id",), event_column="posted_at", structure_column="structure_id",
        structure_reference="coordination",
        description="Messages posted in the coordination tool (dossier or network).",
    ),
    TableSpec(
        "cpts_membres", "coordination", r"cpts_membres_" + DAY, "snapshot_dated",
        (
            C("structure_id", required=True), C("professionnel_id", required=True), C("profession"),
            C("date_adhesion", "date"), C("date_fin", "date"),
        ),
        key=("structure_id", "professionnel_id", "date_adhesion"), structure_column="structure_id",
        structure_reference="coordination", description="CPTS members.",
    ),
    # ---------------------------------------------------------------- declaratif
    TableSpec(
        "declaratif", "declaratif", r"declaratif_" + DAY, "snapshot_dated",
        (
            C("indicateur", "enum", True, values=DECLARATIVE_INDICATORS), C("date_mesure", "date", True),
            C("valeur", "enum", True, values=YN), C("justificatif"), C("commentaire"),
        ),
        key=("indicateur", "date_mesure"), description="Declarative E-parcours indicators with their evidence.",
    ),
)

SPECS_BY_NAME = {s.name: s for s in SPECS}


def spec(name: str) -> TableSpec:
    return SPECS_BY_NAME[name]


def raw_table_ddl(s: TableSpec) -> str:
    """CREATE TABLE statement of the raw table of ``s``: every business column typed once at ingestion (dates,
    timestamps with the calendar date written in them, integers, numbers; codes and identifiers as text)."""
    from .rules import local_date_column, raw_type

    cols = []
    for c in s.columns:
        cols.append(f'"{c.name}" {raw_type(c)}')
        if c.rule == "ins":  # the keyed hash of the INS (privacy), and whether the INS had a valid key
            cols.append(f'"{c.name}_valid" BOOLEAN')
        if local_date_column(c):
            cols.append(f'"{local_date_column(c)}" DATE')
    cols += [f"{n} {t}" for n, t in LINEAGE_COLUMNS]
    return f"CREATE TABLE IF NOT EXISTS raw.{s.name} (\n    " + ",\n    ".join(cols) + "\n)"


# The layout of schema raw. A warehouse written by another layout is refused with a clear message (it is
# rebuilt from the landing folder by deleting <home>/warehouse): never read with the wrong types.
RAW_LAYOUT_VERSION = 3  # 3: INS stored as keyed hashes (privacy.py)

# The fingerprint of the pseudonymisation key the raw INS hashes were made with (privacy.py): an ingestion under
# another key is refused.
PSEUDONYMISATION_DDL = """
CREATE TABLE IF NOT EXISTS raw.pseudonymisation (
    key_fingerprint VARCHAR,
    recorded_at TIMESTAMP WITH TIME ZONE
)
"""

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS raw.quarantine (
    source VARCHAR,          -- landing sub-folder (finess, ror, ...)
    table_name VARCHAR,      -- raw table the row was meant for
    file_name VARCHAR,
    file_sha256 VARCHAR,
    line_number BIGINT,      -- physical line in the file (1 = first line); NULL when the whole file is refused
    column_name VARCHAR,     -- NULL when the rule is about the whole row or file
    value VARCHAR,           -- the offending value (an INS masked: 23…(15)), or the broken line (NIRs masked)
    rule VARCHAR,            -- short rule id: missing_required, bad_date, bad_finess, unknown_code, ...
    reason VARCHAR,          -- one sentence for a person
    severity VARCHAR,        -- rejected (row not loaded) | flagged (row loaded, value flagged) | file_refused
    delivery_key VARCHAR,
    ingested_at TIMESTAMP WITH TIME ZONE
)
"""

INGESTED_FILES_DDL = """
CREATE TABLE IF NOT EXISTS raw.ingested_files (
    table_name VARCHAR,
    source VARCHAR,
    delivery_key VARCHAR,
    file_name VARCHAR,
    file_sha256 VARCHAR,
    file_size BIGINT,
    file_mtime_ns BIGINT,    -- modification time when hashed (an unchanged size and time is not hashed again)
    version VARCHAR,         -- re-delivery order of the file name (x_2024-03_v2.csv: 0.2)
    encoding VARCHAR,        -- as delivered: utf-8, utf-8-sig, cp1252, utf-16
    physical_lines BIGINT,   -- lines of the file, counted on its bytes
    blank_lines BIGINT,
    other_lines BIGINT,      -- lines of another section of the same file (FINESS etalab), or continuing a
                             -- quoted value (a line break inside quotes)
    rows_loaded BIGINT,
    rows_rejected BIGINT,    -- lines quarantined (not loaded)
    values_flagged BIGINT,
    reader VARCHAR,          -- duckdb | exact (line-by-line reader of a damaged file) | etalab
    status VARCHAR,          -- loaded | replaced (superseded by a later delivery) | refused | superseded (a later
                             -- version of the same delivery is in the landing folder: never loaded)
    message VARCHAR,
    ingested_at TIMESTAMP WITH TIME ZONE,
    file_ctime_ns BIGINT     -- inode change time when hashed: with size and mtime, the proof a file did not change
                             -- (a copy that keeps size and mtime, cp -p or rsync -t, has a new ctime)
)
"""

# What the quality gate judges each delivery on (written by the ingestion from the rows it loaded).
DELIVERY_PROFILES_DDL = """
CREATE TABLE IF NOT EXISTS raw.delivery_profiles (
    table_name VARCHAR,
    delivery_key VARCHAR,
    file_sha256 VARCHAR,
    rows_loaded BIGINT,
    dated_rows BIGINT,       -- event tables: rows with an event date
    first_date DATE,         -- event tables: first and last local event date of the delivery
    last_date DATE,
    active_days BIGINT,      -- distinct event dates
    rows_in_month BIGINT,    -- event tables: rows dated in the delivered month
    structures BIGINT        -- distinct structures (FINESS géographique or structure_id)
)
"""

DELIVERY_STRUCTURES_DDL = """
CREATE TABLE IF NOT EXISTS raw.delivery_structures (
    table_name VARCHAR,
    delivery_key VARCHAR,
    file_sha256 VARCHAR,
    structure_reference VARCHAR,  -- finess | coordination: the snapshot that says whether it is in force
    structure_id VARCHAR,
    rows_loaded BIGINT,
    units BIGINT,                 -- distinct dossiers (rows without one count one each): the independent units
                                  -- whose chance absence the gate weighs; rows for tables without dossier_id
    first_date DATE,              -- event tables: first and last local event date of the structure's rows (is
    last_date DATE                -- it still active around a snapshot date: gate.snapshot_coverage)
)
"""

# The identity of each column of a delivery, on its first COLUMN_SAMPLE_ROWS data lines per file (enough to tell a
# column from another, cheap at any scale): how often it is filled, how many distinct values, and the dominant
# shape of its values (upper-cased, every run of digits written 9, first 12 characters: E2024060000001 -> E9,
# CD0000225 -> CD9, 070511217 -> 9). The gate compares them with the column's history
# (gate.delivery_columns): exchanged columns, another table's file, a column emptied.
DELIVERY_COLUMNS_DDL = """
CREATE TABLE IF NOT EXISTS raw.delivery_columns (
    table_name VARCHAR,
    delivery_key VARCHAR,
    file_sha256 VARCHAR,
    column_name VARCHAR,
    sampled_rows BIGINT,     -- loaded rows of the sample
    filled BIGINT,           -- of those, with a value
    distinct_values BIGINT,
    top_shape VARCHAR,       -- the most frequent shape of the values
    top_shape_rows BIGINT,   -- rows of that shape
    stored_type VARCHAR,     -- VARCHAR (identifiers, codes, text), DATE, TIMESTAMPTZ, BIGINT, DOUBLE
    column_rule VARCHAR,     -- the contract's rule: text, finess, ins, rpps, date, enum, codelist, ...
    is_key BOOLEAN           -- the column alone is the table's business key (unique in every delivery)
)
"""
COLUMN_SAMPLE_ROWS = 5000

LANDING_INVENTORY_DDL = """
CREATE TABLE IF NOT EXISTS raw.landing_inventory (
    file_name VARCHAR,       -- relative to the landing folder
    source VARCHAR,          -- its first folder
    known_source BOOLEAN,    -- one of the contract's source folders (finess, ror, ...)
    table_name VARCHAR,      -- NULL when the name matches no table
    delivery_key VARCHAR,
    version VARCHAR,
    file_size BIGINT,
    role VARCHAR,            -- in_force | superseded | unrecognised | refused (not a regular file: not read)
    reason VARCHAR,
    seen_at TIMESTAMP WITH TIME ZONE
)
"""


class RawLayoutError(RuntimeError):
    pass


def create_raw_schema(con) -> None:
    """Create schema ``raw`` and every raw table (idempotent); refuse a warehouse of another layout."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE TABLE IF NOT EXISTS raw.layout (version INTEGER)")
    found = con.execute("SELECT max(version) FROM raw.layout").fetchone()[0]
    existing = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' "
                           "AND table_name = 'ingested_files'").fetchone()[0]
    if found is None and existing:
        found = 1
    if found is not None and found != RAW_LAYOUT_VERSION:
        raise RawLayoutError(
            f"the working warehouse was written with raw layout {found}, this version needs {RAW_LAYOUT_VERSION}: "
            "delete the working warehouse (<home>/warehouse) and run again, it is rebuilt from the landing folder")
    for s in SPECS:
        con.execute(raw_table_ddl(s))
    for ddl in (QUARANTINE_DDL, INGESTED_FILES_DDL, DELIVERY_PROFILES_DDL, DELIVERY_STRUCTURES_DDL,
                DELIVERY_COLUMNS_DDL, LANDING_INVENTORY_DDL, PSEUDONYMISATION_DDL):
        con.execute(ddl)
    # added within raw layout 1 (NULL for deliveries ingested before: the gate then counts rows)
    con.execute("ALTER TABLE raw.delivery_structures ADD COLUMN IF NOT EXISTS units BIGINT")
    con.execute("ALTER TABLE raw.delivery_columns ADD COLUMN IF NOT EXISTS stored_type VARCHAR")
    con.execute("ALTER TABLE raw.delivery_columns ADD COLUMN IF NOT EXISTS column_rule VARCHAR")
    con.execute("ALTER TABLE raw.delivery_columns ADD COLUMN IF NOT EXISTS is_key BOOLEAN")
    for col in ("first_date", "last_date"):  # NULL before: the structure is not judged active around a snapshot
        con.execute(f"ALTER TABLE raw.delivery_structures ADD COLUMN IF NOT EXISTS {col} DATE")
    # (NULL for files hashed before: hashed once more, then known by size, mtime and ctime)
    con.execute("ALTER TABLE raw.ingested_files ADD COLUMN IF NOT EXISTS file_ctime_ns BIGINT")
    if found is None:
        con.execute("INSERT INTO raw.layout VALUES (?)", [RAW_LAYOUT_VERSION])
