"""The open-data files of ``publish.indicator_results_open``: the indicator results with small cells masked.

Everything the ARS, the structures, the CNSA and the ministry receive keeps exact figures; only this public
export is masked, because the figures of a very small structure (2 dossiers out of 3) could identify people.
The masking rule (primary and secondary, threshold ``EPARCOURS_OPEN_DATA_THRESHOLD``, default 10) is business
logic: it is computed by the dbt model ``dbt/models/publish/open_indicator_results.sql`` (its yml and
docs/open_data.md state it in full, the dbt unit tests pin it, the data test
``assert_open_data_not_recoverable`` checks that no masked figure can be recovered by subtraction). The
publication copies that table into the analysts' file (``transform/exposures.py``, the dbt exposure analysts_file); this module only writes it.

``write_open_data`` writes ``indicator_results_open.csv`` (``;``, UTF-8 with BOM for French Excel, ISO
dates, ``.`` decimals), ``indicator_results_open.parquet``, ``schema.json`` (a Frictionless tabular data
resource with its Table Schema) and ``LISEZMOI.md``. Only the columns of ``FIELDS`` are exported: a column
added upstream is published only once it is described here and judged for masking in the model.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path


from ...settings import connect_read_only

THRESHOLD_ENV = "EPARCOURS_OPEN_DATA_THRESHOLD"
DEFAULT_THRESHOLD = 10
TABLE = "publish.indicator_results_open"
RESULTS = "publish.indicator_results"
ROW_KEY = ("indicator_id", "scope_type", "scope_id", "subgroup", "measure_date")
PRIMARY, SECONDARY = "primary", "secondary"

CSV_NAME = "indicator_results_open.csv"
PARQUET_NAME = "indicator_results_open.parquet"
SCHEMA_NAME = "schema.json"
README_NAME = "LISEZMOI.md"
UTF8_BOM = b"\xef\xbb\xbf"
LICENCE = {"name": "etalab-2.0", "title": "Licence Ouverte 2.0",
           "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}


@dataclass(frozen=True)
class Field:
    name: str
    sql_type: str  # DuckDB type written to the CSV and the Parquet file
    title: str  # French, for the public
    description: str
    enum: tuple[str, ...] = ()

    @property
    def table_schema_type(self) -> str:
        return {"VARCHAR": "string", "BIGINT": "integer", "DOUBLE": "number", "BOOLEAN": "boolean",
                "DATE": "date"}[self.sql_type]


FIELDS: tuple[Field, ...] = (
    Field("indicator_id", "VARCHAR", "Identifiant de l'indicateur",
          "Code de l'indicateur (ex. EP-6.1, ESMS-DUI-PP ; 1.1 à 6.6 pour les indicateurs déclaratifs E-parcours)."),
    Field("label", "VARCHAR", "Libellé de l'indicateur", "Intitulé de l'indicateur en clair."),
    Field("programme", "VARCHAR", "Programme", "Programme national auquel appartient l'indicateur.",
          ("E-parcours", "ESMS Numérique")),
    Field("scope_type", "VARCHAR", "Type de périmètre",
          "region : toute la région ; dac : dispositif d'appui à la coordination ; cpts : communauté "
          "professionnelle territoriale de santé ; esms : établissement ou service médico-social.",
          ("region", "dac", "cpts", "esms")),
    Field("scope_id", "VARCHAR", "Identifiant du périmètre",
          "Code INSEE de la région, ou numéro FINESS (9 caractères) de la structure."),
    Field("subgroup", "VARCHAR", "Sous-groupe",
          "Vide, ou pour EP-3.2 le groupe de structures décrites dans le ROR : SAN_MCO_SSR_PSY, SAN_HAD_USLD, "
          "MEDICO_SOCIAL, VILLE."),
    Field("period_start", "DATE", "Début de la période", "Premier jour de la période mesurée (AAAA-MM-JJ)."),
    Field("period_end", "DATE", "Fin de la période", "Dernier jour de la période mesurée (AAAA-MM-JJ)."),
    Field("numerator", "BIGINT", "Numérateur",
          "Effectif compté au numérateur (personnes, dossiers, messages...) ; pour EP-5.2, nombre de jours. "
          "Vide pour les indicateurs déclaratifs et pour les lignes masquées."),
    Field("denominator", "BIGINT", "Dénominateur",
          "Effectif de référence ; vide pour EP-5.2, les indicateurs déclaratifs et les lignes masquées."),
    Field("value", "DOUBLE", "Valeur",
          "Pourcentage numérateur / dénominateur × 100 (arrondi à 2 décimales, peut dépasser 100 pour "
          "ESMS-MSS, ESMS-DMP et ESMS-DUI-ACTIFS) ; en jours pour EP-5.2. Vide pour les indicateurs "
          "déclaratifs, les lignes sans donnée et les lignes masquées."),
    Field("target", "DOUBLE", "Cible",
          "Cible en vigueur à la date de mesure, dans l'unité de la valeur ; vide sans cible."),
    Field("target_met", "BOOLEAN", "Cible atteinte",
          "true si la valeur atteint la cible (valeur ≥ cible ; ≤ 183 jours pour EP-5.2), false sinon ; pour "
          "un indicateur déclaratif, la réponse déclarée (oui = true). Vide sans cible ou sans valeur, et "
          "pour les lignes masquées."),
    Field("status", "VARCHAR", "Statut",
          "final : résultat définitif ; provisional : provisoire (des données peuvent encore arriver) ; "
          "no_data : aucune donnée pour la période.", ("final", "provisional", "no_data")),
    Field("reference_document", "VARCHAR", "Texte de référence",
          "Texte officiel qui définit l'indicateur et sa cible (ex. note_2021_216, instruction_2024_15)."),
    Field("measure_date", "DATE", "Date de mesure",
          "Date à laquelle l'indicateur est mesuré : fin du trimestre (AAAA-MM-JJ)."),
    Field("evidence_reference", "VARCHAR", "Justificatif",
          "Indicateurs déclaratifs : référence du document justificatif."),
    Field("evidence_date", "DATE", "Date du justificatif", "Indicateurs déclaratifs : date du justificatif."),
    Field("masked", "BOOLEAN", "Ligne masquée",
          "true si numérateur, dénominateur, valeur et cible atteinte ont été masqués (secret statistique)."),
    Field("mask_reason", "VARCHAR", "Motif du masquage",
          "primary : petit effectif ; secondary : masquée pour qu'une ligne à petit effectif ne puisse pas "
          "être retrouvée par différence avec la ligne régionale ; vide si la ligne n'est pas masquée.",
          (PRIMARY, SECONDARY)),
)
ADDED_COLUMNS = ("masked", "mask_reason")  # computed by the model, not in publish.indicator_results
RESULT_COLUMNS = tuple(f.name for f in FIELDS if f.name not in ADDED_COLUMNS)
ORDER_BY = "period_end, programme, indicator_id, scope_type DESC, scope_id, subgroup"


# --- threshold ------------------------------------------------------------------------------------------

def resolve_threshold() -> int:
    """``EPARCOURS_OPEN_DATA_THRESHOLD``, else 10; a whole number >= 1. The model applies it when dbt compiles
    (and refuses a bad value in the same words); the files only state it."""
    raw = os.environ.get(THRESHOLD_ENV)
    if raw is None:
        return DEFAULT_THRESHOLD
    if not re.fullmatch(r"\s*\d+\s*", raw) or int(raw) < 1:
        raise ValueError(f"{THRESHOLD_ENV} must be a whole number of at least 1, not {raw!r}.")
    return int(raw)


# --- files ----------------------------------------------------------------------------------------------

def write_open_data(db: Path, out_dir: Path) -> list[Path]:
    """Read ``publish.indicator_results_open`` from the analysts' DuckDB file ``db``, write the four open-data
    files in ``out_dir``."""
    t = resolve_threshold()
    con = connect_read_only(db)
    try:
        _require_current(con)
        n_rows, n_masked = con.execute(f"SELECT count(*), count(*) FILTER (WHERE masked) FROM {TABLE}").fetchone()
        out_dir.mkdir(parents=True, exist_ok=True)
        csv_path, parquet_path = out_dir / CSV_NAME, out_dir / PARQUET_NAME
        _write_tables(con, csv_path, parquet_path)
    finally:
        con.close()
    schema_path = out_dir / SCHEMA_NAME
    schema_path.write_text(json.dumps(data_resource(t), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    readme_path = out_dir / README_NAME
    readme_path.write_text(lisezmoi(t, n_masked, n_rows), encoding="utf-8")
    return [csv_path, parquet_path, schema_path, readme_path]


def _require_current(con) -> None:
    """Refuse a masked table that is not that of ``publish.indicator_results`` beside it (built by another run):
    the same row keys, and the same figures on every row it does not mask."""
    key = " AND ".join(f"o.{k} IS NOT DISTINCT FROM r.{k}" for k in ROW_KEY)
    kept = ", ".join(RESULT_COLUMNS)
    stale = con.execute(f"""
        SELECT (SELECT count(*) FROM {RESULTS} AS r ANTI JOIN {TABLE} AS o ON {key})
             + (SELECT count(*) FROM {TABLE} AS o ANTI JOIN {RESULTS} AS r ON {key})
             + (SELECT count(*) FROM (SELECT {kept} FROM {TABLE} WHERE NOT masked
                                      EXCEPT ALL SELECT {kept} FROM {RESULTS}))""").fetchone()[0]
    if stale:
        raise RuntimeError(f"{TABLE} does not match {RESULTS} ({stale} row(s) differ): it was built from other "
                           "results; rebuild it with the indicators (dbt model open_indicator_results).")


def _write_tables(con, csv_path: Path, parquet_path: Path) -> None:
    select = ", ".join(f"CAST({f.name} AS {f.sql_type}) AS {f.name}" for f in FIELDS)
    # Columns by name: extra columns of the table are ignored (published only once described in FIELDS).
    query = f"SELECT {select} FROM {TABLE} ORDER BY {ORDER_BY}"
    tmp_csv = csv_path.with_name(f".{csv_path.name}.tmp")
    con.execute(f"COPY ({query}) TO '{tmp_csv}' (HEADER, DELIMITER ';', DATEFORMAT '%Y-%m-%d')")
    con.execute(f"COPY ({query}) TO '{parquet_path}' (FORMAT parquet)")
    # The BOM tells French Excel the file is UTF-8 (accents); DuckDB does not write one.
    with open(csv_path, "wb") as dst, open(tmp_csv, "rb") as src:
        dst.write(UTF8_BOM)
        shutil.copyfileobj(src, dst)
    tmp_csv.unlink()


def rule_fr(threshold: int) -> str:
    return (f"Une ligne d'un indicateur exprimé en pourcentage (effectifs de personnes, de "
            f"dossiers, de messages) est masquée lorsque son numérateur ou son dénominateur est compris entre 1 "
            f"et {threshold} inclus (masquage primaire). La ligne régionale étant la somme des lignes des DAC "
            f"et CPTS du même indicateur, de la même date de mesure et du même sous-groupe, lorsqu'une seule "
            f"ligne d'un tel groupe est masquée, la ligne de structure non masquée au plus petit dénominateur "
            f"non nul l'est aussi (à défaut, la ligne régionale : masquage secondaire), pour qu'aucune valeur masquée ne puisse être "
            f"retrouvée par différence. Sur une ligne masquée, numérateur, dénominateur, valeur et « cible "
            f"atteinte » sont vides ; la cible est conservée. Les indicateurs déclaratifs et EP-5.2 (en jours) "
            f"ne sont jamais masqués.")


def data_resource(threshold: int) -> dict:
    """A Frictionless tabular data resource describing the CSV, with its Table Schema."""
    fields = []
    for f in FIELDS:
        field = {"name": f.name, "type": f.table_schema_type, "title": f.title, "description": f.description}
        if f.table_schema_type == "boolean":
            field["trueValues"], field["falseValues"] = ["true"], ["false"]
        if f.enum:
            field["constraints"] = {"enum": list(f.enum)}
        fields.append(field)
    return {
        "profile": "tabular-data-resource",
        "name": "indicator_results_open",
        "path": CSV_NAME,
        "title": "Indicateurs d'usage E-parcours et ESMS Numérique (données ouvertes)",
        "description": ("Une ligne par indicateur, périmètre (région ou structure), sous-groupe et date de "
                        f"mesure. Secret statistique : {rule_fr(threshold)} Seuil appliqué : {threshold}."),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",  # IANA name (the spec); the file starts with the UTF-8 BOM
        "dialect": {"delimiter": ";", "header": True, "quoteChar": '"'},
        "licenses": [LICENCE],
        "schema": {"fields": fields, "missingValues": [""]},
    }


def lisezmoi(threshold: int, n_masked: int, n_rows: int) -> str:
    """LISEZMOI.md, from ``templates/LISEZMOI.md.j2``."""
    from jinja2 import Environment, FileSystemLoader

    env = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)  # Markdown, not HTML
    return env.get_template("LISEZMOI.md.j2").render(
        csv_name=CSV_NAME, parquet_name=PARQUET_NAME, schema_name=SCHEMA_NAME, threshold=threshold,
        rule=rule_fr(threshold), n_masked=n_masked, n_rows=n_rows, fields=FIELDS, licence=LICENCE)
