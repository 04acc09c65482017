"""A small analysts' file for the renderers' tests: schema ``publish`` with the tables and output columns of the dbt
models of dbt/models/publish/ (the exposure analysts_file), filled from a few rows given as dicts.

``make_analysts_file(path, results=[...], structures=[...], ...)``: every column a row does not give is filled
with its default, NULL except
  - the catalogue and the labels: the seeds (seeds/ref_indicator_catalogue.csv, seeds/ref_labels.csv) unless given;
  - label columns (scope_label, subgroup_label, status_label, reference_document_label, rule_label,
    severity_label): the French label of the row's code in those labels, as the models' macro label_of does;
  - label, programme and unit of a result or pooled row: the catalogue's.
The French texts of figures (value_text, ratio_text, target_text, attainment_label, ...) are never derived here:
a test writes them out, as the dbt unit tests of the models check them.

A column a row names that the model does not have is an error (a typo would otherwise test nothing).
tests/e2e/test_semester_report_e2e.py and tests/e2e/test_dashboard_browser.py check COLUMNS against a real
publication, so the fixture follows the models.

``create_publish(path, tables)`` writes only the tables given ({table: rows}, missing values NULL, no label
filled in); ``dashboard_tables()`` is the dataset of the dashboard tests.
"""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"

# Output columns of the models, in their order, with the types DuckDB gives them (dbt/models/publish/*.sql).
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "indicator_results": (
        ("indicator_id", "VARCHAR"), ("label", "VARCHAR"), ("programme", "VARCHAR"), ("scope_type", "VARCHAR"),
        ("scope_id", "VARCHAR"), ("subgroup", "VARCHAR"), ("period_start", "DATE"), ("period_end", "DATE"),
        ("numerator", "BIGINT"), ("denominator", "BIGINT"), ("value", "DOUBLE"), ("target", "DOUBLE"),
        ("target_met", "BOOLEAN"), ("status", "VARCHAR"), ("reference_document", "VARCHAR"),
        ("measure_date", "DATE"), ("evidence_reference", "VARCHAR"), ("evidence_date", "DATE"),
        ("comparison", "VARCHAR"), ("target_applies_from", "DATE"), ("target_source", "VARCHAR"),
        ("unit", "VARCHAR"), ("may_exceed_100", "BOOLEAN"), ("rank_among_peers", "BIGINT"),
        ("ranked_peers", "BIGINT"), ("rank_tied", "BOOLEAN"), ("gap_to_target", "BIGINT"),
        ("quarter_label", "VARCHAR"), ("semester_label", "VARCHAR"), ("period_text", "VARCHAR"),
        ("scope_label", "VARCHAR"), ("subgroup_label", "VARCHAR"), ("status_label", "VARCHAR"),
        ("reference_document_label", "VARCHAR"), ("value_text", "VARCHAR"), ("ratio_text", "VARCHAR"),
        ("target_text", "VARCHAR"), ("attainment_label", "VARCHAR"), ("gap_text", "VARCHAR"),
        ("rank_text", "VARCHAR"),
    ),
    "indicator_catalogue": (
        ("indicator_id", "VARCHAR"), ("label", "VARCHAR"), ("programme", "VARCHAR"), ("computation", "VARCHAR"),
        ("unit", "VARCHAR"), ("reference_document", "VARCHAR"), ("scopes", "VARCHAR"), ("retired", "BOOLEAN"),
        ("model", "VARCHAR"), ("numerator_label", "VARCHAR"), ("numerator_label_singular", "VARCHAR"),
        ("may_exceed_100", "BOOLEAN"), ("cnsa_numerator_column", "VARCHAR"),
        ("reference_document_label", "VARCHAR"),
    ),
    "indicator_targets": (
        ("indicator_id", "VARCHAR"), ("subgroup", "VARCHAR"), ("reference_document", "VARCHAR"),
        ("applies_from", "DATE"), ("target", "DOUBLE"), ("comparison", "VARCHAR"), ("unit", "VARCHAR"),
        ("retired", "BOOLEAN"), ("source", "VARCHAR"), ("comparison_label", "VARCHAR"),
        ("subgroup_label", "VARCHAR"),
    ),
    "structures": (
        ("finess", "VARCHAR"), ("scope_type", "VARCHAR"), ("name", "VARCHAR"), ("galis_ref", "VARCHAR"),
        ("categetab", "VARCHAR"), ("libcategetab", "VARCHAR"), ("departement", "VARCHAR"),
        ("code_region", "VARCHAR"), ("last_seen", "DATE"), ("scope_label", "VARCHAR"),
    ),
    "quarantine_summary": (
        ("source", "VARCHAR"), ("table_name", "VARCHAR"), ("file_name", "VARCHAR"), ("rule", "VARCHAR"),
        ("severity", "VARCHAR"), ("n_rows", "BIGINT"), ("first_line", "BIGINT"), ("example_reason", "VARCHAR"),
        ("example_column", "VARCHAR"), ("rule_label", "VARCHAR"), ("severity_label", "VARCHAR"),
    ),
    "indicator_changes": (
        ("indicator_id", "VARCHAR"), ("scope_type", "VARCHAR"), ("scope_id", "VARCHAR"), ("subgroup", "VARCHAR"),
        ("measure_date", "DATE"), ("previous_measure_date", "DATE"), ("value", "DOUBLE"),
        ("previous_value", "DOUBLE"), ("abs_change", "DOUBLE"), ("min_denominator", "BIGINT"),
        ("may_exceed_100", "BOOLEAN"), ("enough_cases", "BOOLEAN"), ("is_jump", "BOOLEAN"),
        ("jumps_in_quarter", "BIGINT"), ("jump_share", "DOUBLE"),
    ),
    "pooled_results": (
        ("grouping", "VARCHAR"), ("categorie", "VARCHAR"), ("indicator_id", "VARCHAR"), ("label", "VARCHAR"),
        ("programme", "VARCHAR"), ("scope_type", "VARCHAR"), ("reference_document", "VARCHAR"),
        ("measure_date", "DATE"), ("n_structures", "BIGINT"), ("numerator", "HUGEINT"),
        ("denominator", "HUGEINT"), ("value", "DOUBLE"), ("target", "DOUBLE"), ("comparison", "VARCHAR"),
        ("target_applies_from", "DATE"), ("target_source", "VARCHAR"), ("n_met", "BIGINT"),
        ("n_judged", "BIGINT"), ("status", "VARCHAR"), ("quarter_label", "VARCHAR"), ("value_text", "VARCHAR"),
        ("ratio_text", "VARCHAR"), ("target_text", "VARCHAR"), ("status_label", "VARCHAR"),
        ("attainment_label", "VARCHAR"),
    ),
    "labels": (
        ("domain", "VARCHAR"), ("code", "VARCHAR"), ("label", "VARCHAR"),
    ),
}

# label column -> (domain of seeds/ref_labels.csv, column holding the code), per table
LABEL_COLUMNS = {
    "indicator_results": {"scope_label": ("scope_type", "scope_type"), "subgroup_label": ("subgroup", "subgroup"),
                          "status_label": ("status", "status"),
                          "reference_document_label": ("reference_document", "reference_document")},
    "indicator_catalogue": {"reference_document_label": ("reference_document", "reference_document")},
    "indicator_targets": {"comparison_label": ("comparison", "comparison"), "subgroup_label": ("subgroup", "subgroup")},
    "structures": {"scope_label": ("scope_type", "scope_type")},
    "quarantine_summary": {"rule_label": ("rule", "rule"), "severity_label": ("severity", "severity")},
    "pooled_results": {"status_label": ("status", "status")},
}
FROM_CATALOGUE = {"indicator_results": ("label", "programme", "unit"), "pooled_results": ("label", "programme")}


def _seed(name: str) -> list[dict]:
    with (REPO / "seeds" / name).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    for r in rows:
        for k, v in r.items():
            r[k] = {"": None, "true": True, "false": False}.get(v, v)
    return rows


def seed_labels() -> list[dict]:
    return [{k: r[k] for k in ("domain", "code", "label")} for r in _seed("ref_labels.csv")]


def seed_catalogue() -> list[dict]:
    return _seed("ref_indicator_catalogue.csv")


def _complete(table: str, row: dict, labels: dict, catalogue: dict) -> dict:
    names = [c for c, _ in COLUMNS[table]]
    unknown = set(row) - set(names)
    if unknown:
        raise ValueError(f"publish.{table} has no column {sorted(unknown)}")
    out = {c: row.get(c) for c in names}
    for column, (domain, code_column) in LABEL_COLUMNS.get(table, {}).items():
        if column not in row and out[code_column] is not None:
            out[column] = labels.get((domain, out[code_column]), out[code_column])
    for column in FROM_CATALOGUE.get(table, ()):
        if column not in row:
            out[column] = catalogue.get(out["indicator_id"], {}).get(column)
    return out


def make_analysts_file(path: Path, results=(), structures=(), pooled=(), quarantine=(), targets=(), changes=(),
                       catalogue=None, labels=None) -> Path:
    """Write the analysts' file ``path`` (schema publish, every table of COLUMNS) from rows given as dicts."""
    labels = seed_labels() if labels is None else list(labels)
    by_code = {(r["domain"], r["code"]): r["label"] for r in labels}
    catalogue = seed_catalogue() if catalogue is None else list(catalogue)
    by_id = {r["indicator_id"]: r for r in catalogue}
    tables = {"indicator_results": results, "indicator_catalogue": catalogue, "indicator_targets": targets,
              "structures": structures, "quarantine_summary": quarantine, "indicator_changes": changes,
              "pooled_results": pooled, "labels": labels}
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE SCHEMA publish")
        for table, columns in COLUMNS.items():
            con.execute(f"CREATE TABLE publish.{table} ({', '.join(f'{c} {t}' for c, t in columns)})")
            rows = [_complete(table, r, by_code, by_id) for r in tables[table]]
            if rows:
                con.executemany(f"INSERT INTO publish.{table} VALUES ({', '.join('?' for _ in columns)})",
                                [[r[c] for c, _ in columns] for r in rows])
    finally:
        con.close()
    return path


def create_publish(path: Path, tables: dict[str, list[dict]]) -> Path:
    """The DuckDB file ``path`` with schema publish and ``tables`` ({table: rows}); a row's unknown key fails."""
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS publish")
        for table, rows in tables.items():
            columns = dict(COLUMNS[table])
            for r in rows:
                unknown = set(r) - set(columns)
                assert not unknown, f"{table}: no column {sorted(unknown)} in the model"
            names = list(columns)
            aliases = ", ".join(f"c{i} AS {name}" for i, name in enumerate(names))
            one = "(" + ", ".join(f"CAST(? AS {columns[n]})" for n in names) + ")"
            if rows:
                source = f"(VALUES {', '.join([one] * len(rows))}) AS v({', '.join(f'c{i}' for i in range(len(names)))})"
                params = [r.get(n) for r in rows for n in names]
            else:
                source = "(SELECT " + ", ".join(f"CAST(NULL AS {columns[n]}) AS c{i}" for i, n in enumerate(names)) \
                         + ") WHERE false"
                params = []
            con.execute(f"CREATE TABLE publish.{table} AS SELECT {aliases} FROM {source}", params)
    finally:
        con.close()
    return path


# --------------------------------------------------------------------------------------------------------------
# The dashboard's dataset: four DAC, two CPTS, two ESMS, the region, over three quarters
# --------------------------------------------------------------------------------------------------------------

Q2, Q3, Q4 = date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)
QUARTER_START = {Q2: date(2024, 4, 1), Q3: date(2024, 7, 1), Q4: date(2024, 10, 1)}
QUARTER_LABEL = {Q2: "T2 2024", Q3: "T3 2024", Q4: "T4 2024"}

DAC_A, DAC_B, DAC_C, DAC_D = "010000011", "010000029", "010000037", "010000045"
CPTS_A, CPTS_B = "020000014", "020000022"
ESMS_A, ESMS_B = "030000017", "030000025"
REGION = "84"

SCOPE_LABEL = {"region": "Région", "dac": "DAC", "cpts": "CPTS", "esms": "ESMS"}
STATUS_LABEL = {"final": "définitif", "provisional": "provisoire", "no_data": "sans donnée"}
DOCUMENTS = {"note_2021_216": "Note d'information DGOS/PF5/CNAM/2021/216 du 10 décembre 2021",
             "instruction_2024_15": "Instruction DNS/DGCS/CNSA/2024/15 du 1er février 2024",
             "rulebook": "Règle régionale de l'entrepôt (au-delà de l'indicateur 1.2)"}
SUBGROUP_LABEL = {"SAN_MCO_SSR_PSY": "Sanitaire : MCO (hors HAD et USLD), SSR, PSY",
                  "SAN_HAD_USLD": "Sanitaire : HAD et USLD", "MEDICO_SOCIAL": "Médico-social",
                  "VILLE": "Offre de ville"}

CATALOGUE = [
    # indicator_id, label, programme, computation, unit, document, numerator_label
    ("EP-3.2", "ROR : description exhaustive", "E-parcours", "computed", "%", "note_2021_216",
     "établissements conformes au critère qualité du ROR"),
    ("EP-5.2", "Annuaire MSSanté actualisé", "E-parcours", "computed", "jours", "note_2021_216", "jours"),
    ("EP-6.1", "Dossiers actualisés dans le trimestre (DAC)", "E-parcours", "computed", "%", "note_2021_216",
     "dossiers actualisés"),
    ("EP-6.2", "Primo-évaluation dans le mois (DAC)", "E-parcours", "computed", "%", "note_2021_216",
     "dossiers primo-évalués à temps"),
    ("EP-7.1", "Membres ayant publié (CPTS)", "E-parcours", "computed", "%", "note_2021_216",
     "membres ayant publié sur le réseau"),
    ("EP-INS", "Dossiers de coordination avec une INS qualifiée", "E-parcours", "computed", "%", "rulebook",
     "dossiers avec une INS qualifiée"),
    ("EP-6.5", "Rendez-vous (supprimé)", "E-parcours", "retired", "%", "guide_2020", None),
    ("6.6", "Tableau de bord trimestriel du DAC", "E-parcours", "declarative", "O/N", "note_2021_216", None),
    ("ESMS-MSS", "Messages MSSanté rapportés aux DUI avec PP", "ESMS Numérique", "computed", "%",
     "instruction_2024_15", "messages envoyés via la MSSanté"),
]

STRUCTURES = [
    # finess, scope_type, name, libcategetab, departement
    (DAC_A, "dac", "DAC Alpha", "Dispositif d'appui à la coordination (DAC)", "01"),
    (DAC_B, "dac", "DAC Bêta", "Dispositif d'appui à la coordination (DAC)", "07"),
    (DAC_C, "dac", "DAC Gamma", "Dispositif d'appui à la coordination (DAC)", "26"),
    (DAC_D, "dac", "DAC Delta", "Dispositif d'appui à la coordination (DAC)", "38"),
    (CPTS_A, "cpts", "CPTS du Lac <Léman> & Chablais", "CPTS", "74"),
    (CPTS_B, "cpts", "CPTS des Monts", "CPTS", "15"),
    (ESMS_A, "esms", "EHPAD Les Érables", "EHPAD", "63"),
    (ESMS_B, "esms", "SSIAD du Val", "SSIAD", "43"),
]


def result(indicator_id: str, scope_type: str, scope_id: str, d: date, *, value=None, value_text=None,
           numerator=None, denominator=None, ratio_text=None, target=None, target_text=None, target_met=None,
           attainment_label=None, status="final", subgroup=None, gap_text=None, rank_text=None,
           period_start=None, period_text=None, evidence=None, unit=None) -> dict:
    """One row of publish.indicator_results; the figures and their texts are the caller's, as the model
    would write them; labels of codes from the seed ref_labels."""
    ind = next(c for c in CATALOGUE if c[0] == indicator_id)
    start = period_start or QUARTER_START[d]
    return {
        "indicator_id": indicator_id, "label": ind[1], "programme": ind[2], "scope_type": scope_type,
        "scope_id": scope_id, "subgroup": subgroup, "period_start": start, "period_end": d,
        "numerator": numerator, "denominator": denominator, "value": value, "target": target,
        "target_met": target_met, "status": status, "reference_document": ind[5], "measure_date": d,
        "evidence_reference": evidence, "evidence_date": d if evidence else None,
        "comparison": "lte" if indicator_id == "EP-5.2" else ("gte" if target is not None else None),
        "target_source": "annexe 2 l.131" if target is not None else None, "unit": unit or ind[4],
        "quarter_label": QUARTER_LABEL[d], "semester_label": {Q2: "1er semestre 2024", Q4: "2e semestre 2024"}.get(d),
        "period_text": period_text or f"du {start:%d/%m/%Y} au {d:%d/%m/%Y}",
        "scope_label": SCOPE_LABEL[scope_type], "subgroup_label": SUBGROUP_LABEL.get(subgroup),
        "status_label": STATUS_LABEL[status], "reference_document_label": DOCUMENTS.get(ind[5]),
        "value_text": value_text, "ratio_text": ratio_text, "target_text": target_text,
        "attainment_label": attainment_label, "gap_text": gap_text, "rank_text": rank_text,
    }


def pct(n: int, d: int, text: str, **kw) -> dict:
    """The figure arguments of a percentage row: n / d with its French text given by hand."""
    return {"numerator": n, "denominator": d, "value": None if d == 0 else 100.0 * n / d,
            "value_text": None if d == 0 else f"{text}{NBSP}%", "ratio_text": f"{n} / {d}", **kw}


AT_LEAST_60 = f"au moins 60{NBSP}%"


def dac_results() -> list[dict]:
    rows = []
    # EP-6.1 (target 60 %). T4: A 1/16 = 6,3 % (the half-up rounding the model does, 6,25 → 6,3), 3rd of 3 and
    # 9 dossiers short; B 2/3 and C 4/6 tied first; D 0/0 every quarter (no value at all).
    history = {Q2: ((4, 12, "33,3"), (2, 5, "40,0"), (5, 10, "50,0")),
               Q3: ((10, 14, "71,4"), (4, 5, "80,0"), (5, 10, "50,0")),
               Q4: ((1, 16, "6,3"), (2, 3, "66,7"), (4, 6, "66,7"))}
    ranks = {Q2: ("3e sur 3 DAC", "2e sur 3 DAC", "1er sur 3 DAC"), Q3: ("2e sur 3 DAC", "1er sur 3 DAC", "3e sur 3 DAC"),
             Q4: ("3e sur 3 DAC", "1er ex aequo sur 3 DAC", "1er ex aequo sur 3 DAC")}
    gaps = {Q2: ("4 dossiers actualisés de plus", "1 dossier actualisé de plus", "1 dossier actualisé de plus"),
            Q3: ("objectif atteint", "objectif atteint", "1 dossier actualisé de plus"),
            Q4: ("9 dossiers actualisés de plus", "objectif atteint", "objectif atteint")}
    for d, figures in history.items():
        for i, (dac, (n, den, text)) in enumerate(zip((DAC_A, DAC_B, DAC_C), figures)):
            met = 100 * n / den >= 60
            rows.append(result("EP-6.1", "dac", dac, d, target=60.0, target_text=AT_LEAST_60, target_met=met,
                               attainment_label="atteinte" if met else "non atteinte", rank_text=ranks[d][i],
                               gap_text=gaps[d][i], **pct(n, den, text)))
        rows.append(result("EP-6.1", "dac", DAC_D, d, target=60.0, target_text=AT_LEAST_60, status="no_data",
                           attainment_label="non évaluable", rank_text="non classé (sans donnée)",
                           gap_text="non calculable (sans donnée)", **pct(0, 0, "")))
    # EP-6.2 (target 80 %), T4 only, provisional. The rank text is the table's, whatever the page could count
    # itself (2 DAC here): the page must print it as given.
    rows.append(result("EP-6.2", "dac", DAC_A, Q4, target=80.0, target_text=f"au moins 80{NBSP}%", target_met=False,
                       attainment_label="non atteinte", status="provisional", rank_text="2e ex aequo sur 12 DAC",
                       gap_text="1 dossier primo-évalué à temps de plus", **pct(7, 9, "77,8")))
    rows.append(result("EP-6.2", "dac", DAC_B, Q4, target=80.0, target_text=f"au moins 80{NBSP}%", target_met=True,
                       attainment_label="atteinte", status="provisional", rank_text="1er sur 12 DAC",
                       gap_text="objectif atteint", **pct(1, 1, "100,0")))
    # EP-INS: no target
    for dac, (n, den, text) in ((DAC_A, (11, 17, "64,7")), (DAC_B, (4, 5, "80,0"))):
        rows.append(result("EP-INS", "dac", dac, Q4, target_text="sans cible", attainment_label="sans cible",
                           rank_text="1er sur 2 DAC" if dac == DAC_B else "2e sur 2 DAC", **pct(n, den, text)))
    return rows


def other_structure_results() -> list[dict]:
    rows = []
    for d in (Q2, Q3, Q4):
        # EP-7.1 per CPTS (target 40 %): A 13/19, B 1/4 one member short.
        rows.append(result("EP-7.1", "cpts", CPTS_A, d, target=40.0, target_text=f"au moins 40{NBSP}%", target_met=True,
                           attainment_label="atteinte", rank_text="1er sur 2 CPTS", gap_text="objectif atteint",
                           **pct(13, 19, "68,4")))
        rows.append(result("EP-7.1", "cpts", CPTS_B, d, target=40.0, target_text=f"au moins 40{NBSP}%",
                           target_met=False, attainment_label="non atteinte", rank_text="2e sur 2 CPTS",
                           gap_text="1 membre ayant publié sur le réseau de plus", **pct(1, 4, "25,0")))
        # EP-INS: CPTS A does not use the dossier service: 0/0 every quarter.
        rows.append(result("EP-INS", "cpts", CPTS_A, d, status="no_data", target_text="sans cible",
                           attainment_label="sans cible", rank_text="non classé (sans donnée)", **pct(0, 0, "")))
        # ESMS-MSS (target 70 %, may exceed 100 %) over a six-month window: A 18/15 = 120 %; B 11 / 0: no data.
        window = date(d.year, d.month - 5, 1)
        rows.append(result("ESMS-MSS", "esms", ESMS_A, d, target=70.0, target_text=f"au moins 70{NBSP}%",
                           target_met=True, attainment_label="atteinte", rank_text="1er sur 1 ESMS",
                           gap_text="objectif atteint", period_start=window, **pct(18, 15, "120,0")))
        rows.append(result("ESMS-MSS", "esms", ESMS_B, d, target=70.0, target_text=f"au moins 70{NBSP}%",
                           status="no_data", attainment_label="non évaluable", rank_text="non classé (sans donnée)",
                           gap_text="non calculable (sans donnée)", period_start=window, **pct(11, 0, "")))
    return rows


def region_results() -> list[dict]:
    rows = []
    for d, days, met, gap in ((Q2, 90, True, "objectif atteint"), (Q3, 183, True, "objectif atteint"),
                              (Q4, 274, False, "91 jours de moins")):
        rows.append(result("EP-5.2", "region", REGION, d, numerator=days, value=float(days),
                           value_text=f"{days}{NBSP}jours", target=183.0, target_text=f"au plus 183{NBSP}jours",
                           target_met=met, attainment_label="atteinte" if met else "non atteinte", gap_text=gap))
    for d, (n, den, text) in {Q2: (11, 27, "40,7"), Q3: (19, 29, "65,5"), Q4: (7, 25, "28,0")}.items():
        met = 100 * n / den >= 60
        rows.append(result("EP-6.1", "region", REGION, d, target=60.0, target_text=AT_LEAST_60, target_met=met,
                           attainment_label="atteinte" if met else "non atteinte",
                           gap_text={Q2: "6 dossiers actualisés de plus", Q3: "objectif atteint",
                                     Q4: "8 dossiers actualisés de plus"}[d], **pct(n, den, text)))
    for sub, n, den, text, target, gap in (
            ("SAN_MCO_SSR_PSY", 18, 23, "78,3", 90.0, "3 établissements conformes au critère qualité du ROR de plus"),
            ("SAN_HAD_USLD", 4, 4, "100,0", 60.0, "objectif atteint"),
            ("MEDICO_SOCIAL", 38, 81, "46,9", 30.0, "objectif atteint"),
            ("VILLE", 3, 11, "27,3", None, None)):
        for d in (Q2, Q3, Q4):
            met = None if target is None else 100 * n / den >= target
            rows.append(result(
                "EP-3.2", "region", REGION, d, subgroup=sub, target=target,
                target_text="sans cible" if target is None else f"au moins {target:.0f}{NBSP}%", target_met=met,
                attainment_label="sans cible" if met is None else ("atteinte" if met else "non atteinte"),
                gap_text=gap, **pct(n, den, text)))
    for d in (Q2, Q3, Q4):
        rows.append(result("6.6", "region", REGION, d, value_text="oui", target_met=True, attainment_label="oui",
                           evidence=f"GED-ARS84/{d.year}/Tableau_de_bord_{QUARTER_LABEL[d].replace(' ', '_')}.xlsx"))
    return rows


def dashboard_tables() -> dict[str, list[dict]]:
    catalogue = [{"indicator_id": i, "label": label, "programme": programme, "computation": computation,
                  "unit": unit, "reference_document": document, "retired": computation == "retired",
                  "numerator_label": noun, "reference_document_label": DOCUMENTS.get(document)}
                 for i, label, programme, computation, unit, document, noun in CATALOGUE]
    structures = [{"finess": f, "scope_type": t, "name": name, "libcategetab": category, "departement": dep,
                   "code_region": REGION, "last_seen": Q4, "scope_label": SCOPE_LABEL[t],
                   "galis_ref": "12345678" if t == "esms" else None} for f, t, name, category, dep in STRUCTURES]
    quarantine = [{"source": "dui", "table_name": "dui_evenements", "file_name": "dui/dui_evenements_2024-03.csv",
                   "rule": "bad_finess", "severity": "rejected", "n_rows": 1234, "first_line": 56,
                   "example_reason": "finess_geo = '07051****' is not a valid FINESS number",
                   "example_column": "finess_geo", "rule_label": "numéro FINESS invalide (9 caractères, clé de Luhn)",
                   "severity_label": "rejetée (ligne non chargée)"}]
    return {"indicator_results": dac_results() + other_structure_results() + region_results(),
            "indicator_catalogue": catalogue, "indicator_targets": [], "structures": structures,
            "quarantine_summary": quarantine}
