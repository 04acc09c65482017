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
tests/e2e/test_semester_report_e2e.py checks COLUMNS against a real publication.
"""
from __future__ import annotations

import csv
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]

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
        ("may_exceed_100", "BOOLEAN"), ("jumps_in_quarter", "BIGINT"), ("jump_share", "DOUBLE"),
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
