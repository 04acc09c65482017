"""The open-data export of ``publish.indicator_results``, with small-cell suppression.

Everything the ARS, the structures, the CNSA and the ministry receive keeps exact figures; only this public
export is masked, because the figures of a very small structure (2 dossiers out of 3) could identify people.

The rule (threshold ``t``, default 10). *Primary*: a row of an indicator whose catalogue ``unit`` is ``%``
(counts of people, dossiers, messages; declaratives and EP-5.2, in days, never are) is masked when its
numerator or its denominator is between 1 and ``t`` inclusive (0 and NULL are not: nothing to protect).
*Secondary*: a region row is the sum of the DAC and CPTS rows of the same indicator, measure date and
subgroup (one "group"), so a group whose region row has figures must never hold exactly one masked row, or
that row would be recovered by subtraction. When it does, the non-masked structure row of the group with the
smallest non-zero denominator (ties: smallest ``scope_id``) is masked too; a 0/0 row is never chosen, since
hiding it would leave region minus published rows equal to the masked row. If the region row itself is
small it is masked (primary) and, the region being the sum, at least one structure row is small too: the
group then holds two masked rows and needs nothing more. Where no structure row can serve (which only
happens when the region is not the exact sum), the region row is masked instead. ESMS rows have no region
row, so only the primary rule applies to them. A masked row loses numerator, denominator, value and
``target_met`` (which would tell on which side of the target the value lies); the target is kept, and
``masked`` / ``mask_reason`` ('primary' | 'secondary') say why. ``recoverable_cells`` checks the result.

``write_open_data`` writes ``indicator_results_open.csv`` (``;``, UTF-8 with BOM for French Excel, ISO
dates, ``.`` decimals), ``indicator_results_open.parquet``, ``schema.json`` (a Frictionless tabular data
resource with its Table Schema) and ``LISEZMOI.md``. Only the columns of ``FIELDS`` are exported: a column
added upstream is published only once it is described here and judged for masking.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

import duckdb
import pandas as pd

from ..settings import duckdb_config

THRESHOLD_ENV = "EPARCOURS_OPEN_DATA_THRESHOLD"
DEFAULT_THRESHOLD = 10
REGION = "region"
STRUCTURE_SCOPES = ("dac", "cpts")  # their rows add up to the region row of their group
GROUP_KEY = ("indicator_id", "measure_date", "subgroup")
ROW_KEY = ("indicator_id", "scope_type", "scope_id", "subgroup", "measure_date")
FIGURES = ("numerator", "denominator")
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
ADDED_COLUMNS = ("masked", "mask_reason")
RESULT_COLUMNS = tuple(f.name for f in FIELDS if f.name not in ADDED_COLUMNS)
ORDER_BY = "period_end, programme, indicator_id, scope_type DESC, scope_id, subgroup"


# --- threshold ------------------------------------------------------------------------------------------

def resolve_threshold(threshold: int | None = None) -> int:
    """The threshold argument, else ``EPARCOURS_OPEN_DATA_THRESHOLD``, else 10; a whole number >= 1."""
    if threshold is not None:
        return validate_threshold(threshold)
    raw = os.environ.get(THRESHOLD_ENV)
    if raw is None:
        return DEFAULT_THRESHOLD
    if not re.fullmatch(r"\s*\d+\s*", raw) or int(raw) < 1:
        raise ValueError(f"{THRESHOLD_ENV} must be a whole number of at least 1, not {raw!r}.")
    return int(raw)


def validate_threshold(threshold: object) -> int:
    # bool is an Integral: True would silently mean 1.
    if isinstance(threshold, bool) or not isinstance(threshold, Integral) or threshold < 1:
        raise ValueError(f"The open-data threshold must be a whole number of at least 1, not {threshold!r}.")
    return int(threshold)


# --- suppression (pure) ---------------------------------------------------------------------------------

def suppress(rows: pd.DataFrame, catalogue: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The rows of ``indicator_results`` with small cells masked (module docstring); same index and order."""
    t = validate_threshold(threshold)
    _require(rows, RESULT_COLUMNS, "indicator_results")
    _require(catalogue, ("indicator_id", "computation", "unit"), "indicator_catalogue")
    out = rows.loc[:, list(RESULT_COLUMNS)].copy()
    for col in FIGURES:
        out[col] = out[col].astype("Int64")
    out["value"] = out["value"].astype("Float64")
    out["target_met"] = out["target_met"].astype("boolean")
    maskable = _maskable(out, catalogue)
    primary = maskable & (_small(out["numerator"], t) | _small(out["denominator"], t))
    secondary = _secondary(out, primary, maskable)
    masked = primary | secondary
    out.loc[masked, ["numerator", "denominator", "value", "target_met"]] = pd.NA
    out["masked"] = masked.astype(bool)
    out["mask_reason"] = pd.Series(None, index=out.index, dtype=object)
    out.loc[primary, "mask_reason"] = PRIMARY
    out.loc[secondary, "mask_reason"] = SECONDARY
    return out


def _require(df: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"publish.{table} lacks column(s) {', '.join(missing)}.")


def _maskable(rows: pd.DataFrame, catalogue: pd.DataFrame) -> pd.Series:
    """Rows of indicators counting people (catalogue unit '%', not declarative). Unknown ids are refused:
    the catalogue is the only place that says whether an indicator counts people."""
    cat = catalogue.drop_duplicates("indicator_id").set_index("indicator_id")
    unknown = sorted(set(rows["indicator_id"].dropna()) - set(cat.index))
    if unknown:
        raise ValueError(f"Indicator(s) {', '.join(unknown)} are missing from publish.indicator_catalogue, "
                         "so the open-data export cannot tell whether they count people.")
    counts_people = (cat["unit"] == "%") & (cat["computation"] != "declarative")
    return rows["indicator_id"].map(counts_people).fillna(False).astype(bool)


def _small(figure: pd.Series, threshold: int) -> pd.Series:
    return ((figure >= 1) & (figure <= threshold)).fillna(False).astype(bool)


def _has_figures(rows: pd.DataFrame) -> pd.Series:
    return rows["numerator"].notna() | rows["denominator"].notna()


def _contributes(rows: pd.DataFrame) -> pd.Series:
    return ((rows["numerator"].fillna(0) > 0) | (rows["denominator"].fillna(0) > 0)).astype(bool)


def _secondary(rows: pd.DataFrame, primary: pd.Series, maskable: pd.Series) -> pd.Series:
    secondary = pd.Series(False, index=rows.index)
    linked = maskable & rows["scope_type"].isin((REGION, *STRUCTURE_SCOPES))
    for _, group in rows[linked].groupby(list(GROUP_KEY), dropna=False, sort=False):
        extra = _complement(group, primary.loc[group.index])
        if extra is not None:
            secondary.loc[extra] = True
    return secondary


def _complement(group: pd.DataFrame, primary: pd.Series):
    """Index label of the row to mask so that the group never holds exactly one masked row, or None."""
    region = group[group["scope_type"] == REGION]
    if len(region) > 1:
        raise ValueError(f"Several region rows for {group.iloc[0]['indicator_id']} at "
                         f"{group.iloc[0]['measure_date']}: the export handles one region per file.")
    if region.empty or not _has_figures(region).iloc[0] or primary.sum() != 1:
        return None
    structures = group[group["scope_type"] != REGION]
    pool = structures[~primary.loc[structures.index] & _contributes(structures)]
    if not pool.empty:
        return pool.sort_values(["denominator", "scope_id"], na_position="last", kind="stable").index[0]
    if primary.loc[region.index[0]]:
        return None  # the region alone is masked and no structure row carries anything
    return region.index[0]


# --- the check: can a masked figure be recovered by subtraction? --------------------------------------

def recoverable_cells(original: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Masked rows whose figures the published rows give away, one row each (empty = safe).

    For every group with a region row: (a) region published: region minus the sum of the published structure
    rows must not equal the (numerator, denominator) of any single masked structure row; (b) region masked:
    at least one of its structure rows with figures must be masked too, or it is their sum.
    ``original`` holds the exact figures, ``published`` the output of ``suppress``; matched on the row key.
    """
    cols = [*ROW_KEY, *FIGURES]
    exact = original.loc[:, cols].rename(columns={f: f"exact_{f}" for f in FIGURES})
    pub = published.loc[:, [*cols, "masked"]]
    merged = pub.assign(_sg=pub["subgroup"].fillna("")).merge(
        exact.assign(_sg=exact["subgroup"].fillna("")).drop(columns="subgroup"),
        on=["indicator_id", "scope_type", "scope_id", "_sg", "measure_date"], how="left", validate="1:1")
    merged = merged[merged["scope_type"].isin((REGION, *STRUCTURE_SCOPES))]
    found = []
    for _, group in merged.groupby(["indicator_id", "measure_date", "_sg"], sort=True):
        found.extend(_recoverable_in_group(group))
    return pd.DataFrame(found, columns=[*ROW_KEY, "how"])


def _recoverable_in_group(group: pd.DataFrame) -> list[tuple]:
    region = group[group["scope_type"] == REGION]
    if len(region) != 1:
        return []
    r = region.iloc[0]
    structures = group[group["scope_type"] != REGION]
    shown, hidden = structures[~structures["masked"]], structures[structures["masked"]]
    if not r["masked"]:
        if pd.isna(r["exact_numerator"]) and pd.isna(r["exact_denominator"]):
            return []
        residual = tuple(int(_zero(r[f"exact_{f}"])) - int(shown[f].fillna(0).sum()) for f in FIGURES)
        return [(*_key(m), "region minus published structure rows") for _, m in hidden.iterrows()
                if tuple(int(_zero(m[f"exact_{f}"])) for f in FIGURES) == residual]
    carrying = structures[structures["exact_numerator"].notna() | structures["exact_denominator"].notna()]
    if hidden.empty and not carrying.empty:
        return [(*_key(r), "sum of published structure rows")]
    return []


def _key(row: pd.Series) -> tuple:
    return tuple(row[k] for k in ROW_KEY)


def _zero(x):
    return 0 if pd.isna(x) else x


# --- files ----------------------------------------------------------------------------------------------

def write_open_data(db: Path, out_dir: Path, threshold: int | None = None) -> list[Path]:
    """Read ``publish`` from the analysts' DuckDB file ``db``, write the four open-data files in ``out_dir``."""
    t = resolve_threshold(threshold)
    con = duckdb.connect(str(db), read_only=True, config=duckdb_config())
    try:
        # Columns by name: extra upstream columns are ignored (published only once described in FIELDS).
        rows = con.execute(f"SELECT {', '.join(RESULT_COLUMNS)} FROM publish.indicator_results "
                           f"ORDER BY {ORDER_BY}").df()
        catalogue = con.execute("SELECT indicator_id, computation, unit FROM publish.indicator_catalogue").df()
    finally:
        con.close()
    open_rows = suppress(rows, catalogue, t)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, parquet_path = out_dir / CSV_NAME, out_dir / PARQUET_NAME
    _write_tables(open_rows, csv_path, parquet_path)
    schema_path = out_dir / SCHEMA_NAME
    schema_path.write_text(json.dumps(data_resource(t), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    readme_path = out_dir / README_NAME
    readme_path.write_text(lisezmoi(t, int(open_rows["masked"].sum()), len(open_rows)), encoding="utf-8")
    return [csv_path, parquet_path, schema_path, readme_path]


def _write_tables(open_rows: pd.DataFrame, csv_path: Path, parquet_path: Path) -> None:
    select = ", ".join(f"CAST({f.name} AS {f.sql_type}) AS {f.name}" for f in FIELDS)
    tmp_csv = csv_path.with_name(f".{csv_path.name}.tmp")
    con = duckdb.connect(config=duckdb_config())
    try:
        con.register("open_rows", open_rows)
        con.execute(f"COPY (SELECT {select} FROM open_rows) TO '{tmp_csv}' "
                    "(HEADER, DELIMITER ';', DATEFORMAT '%Y-%m-%d')")
        con.execute(f"COPY (SELECT {select} FROM open_rows) TO '{parquet_path}' (FORMAT parquet)")
    finally:
        con.close()
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
    columns = "\n".join(f"| `{f.name}` | {f.title} | {f.description} |" for f in FIELDS)
    return f"""# Indicateurs d'usage E-parcours et ESMS Numérique — données ouvertes

Ce dossier contient les indicateurs d'usage des programmes nationaux **E-parcours** (services de
coordination des DAC et des CPTS) et **ESMS Numérique** (dossier usager informatisé des établissements et
services médico-sociaux) calculés par l'Agence régionale de santé : une ligne par indicateur, périmètre
(la région ou une structure identifiée par son numéro FINESS), sous-groupe et date de mesure (fin de
trimestre).

## Fichiers

- `{CSV_NAME}` : séparateur `;`, encodage UTF-8 (avec BOM, lisible directement par Excel), dates au
  format AAAA-MM-JJ, décimales avec un point ;
- `{PARQUET_NAME}` : les mêmes données au format Parquet ;
- `{SCHEMA_NAME}` : description des colonnes (Table Schema Frictionless).

## Secret statistique (seuil : {threshold})

{rule_fr(threshold)}

Dans cette édition, {n_masked} ligne(s) sur {n_rows} sont masquées (colonne `masked`, motif dans
`mask_reason`).

## Colonnes

| colonne | titre | description |
|---|---|---|
{columns}

## Licence

{LICENCE['title']} ({LICENCE['path']}) — [à confirmer par l'ARS].

## Contact

[À compléter par l'ARS : service et adresse électronique de contact.]
"""
