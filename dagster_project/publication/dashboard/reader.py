"""What the dashboard reads from the analysts' file: one query per table of schema ``publish``, columns by name.

Nothing is computed here but groupings: the rows are the published ones (dbt models of dbt/models/publish/), with
their French texts. The one aggregate is the count of structures per attainment label at the last quarter (the
regional page's « Structures atteignant la cible »), a GROUP BY of ``publish.indicator_results``.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ...settings import connect_read_only

STRUCTURE_TYPES = ("dac", "cpts", "esms")

RESULT_COLUMNS = """indicator_id, label, programme, scope_type, scope_id, scope_label, subgroup, subgroup_label,
    measure_date, period_start, period_text, quarter_label, unit, value, target, target_met, status, status_label,
    value_text, ratio_text, target_text, target_source, attainment_label, gap_text, rank_text,
    reference_document_label, evidence_reference, evidence_date"""

# Structures of a type, per indicator and subgroup, counted by attainment label at the last measure date; the
# labels come in the order met, not met, not evaluable, no target (label_order), for the columns of the table.
ATTAINMENT_COUNTS = """
    SELECT r.indicator_id, r.subgroup, any_value(r.subgroup_label) AS subgroup_label, r.scope_type,
           any_value(r.scope_label) AS scope_label, r.attainment_label, count(*) AS n_structures,
           sum(count(*)) OVER (PARTITION BY r.indicator_id, r.subgroup, r.scope_type) AS n_of_type,
           min(CASE WHEN r.target_met THEN 1 WHEN NOT r.target_met THEN 2 WHEN r.target IS NOT NULL THEN 3 ELSE 4
               END) AS label_order
    FROM publish.indicator_results AS r
    JOIN publish.indicator_catalogue AS c USING (indicator_id)
    WHERE r.scope_type <> 'region' AND c.computation = 'computed'
      AND r.measure_date = (SELECT max(measure_date) FROM publish.indicator_results)
    GROUP BY r.indicator_id, r.subgroup, r.scope_type, r.attainment_label
    ORDER BY label_order"""


def natural_key(text: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text or ""))


@dataclass
class Indicator:
    id: str
    label: str
    programme: str
    computation: str  # computed | declarative | retired (publish.indicator_catalogue)
    numerator_label: str | None = None  # what the numerator counts, plural (« dossiers actualisés »)

    def sort_key(self) -> tuple:
        return (self.programme != "E-parcours", self.programme, natural_key(self.id))


@dataclass
class Publication:
    rows: list[dict]                       # publish.indicator_results, by measure date
    indicators: dict[str, Indicator]       # publish.indicator_catalogue (+ any indicator published without one)
    structures: dict[tuple, dict]          # (scope_type, finess) -> publish.structures row (or a stub)
    quarantine: list[dict]                 # publish.quarantine_summary
    attainment: list[dict]                 # ATTAINMENT_COUNTS
    measure_dates: list[date] = field(default_factory=list)

    @property
    def last(self) -> date | None:
        return self.measure_dates[-1] if self.measure_dates else None

    def computed(self, row: dict) -> bool:
        return self.indicators[row["indicator_id"]].computation == "computed"

    def declarative(self, row: dict) -> bool:
        return self.indicators[row["indicator_id"]].computation == "declarative"

    def ordered(self, keys) -> list[tuple]:
        """(indicator_id, subgroup) keys in the catalogue's order: E-parcours first, then by number."""
        return sorted(keys, key=lambda k: (self.indicators[k[0]].sort_key(), k[1] or ""))


def _records(con, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def read_publication(db: Path) -> Publication:
    """Everything the pages need, through one read-only connection, one query per table. A missing
    ``structures`` or ``quarantine_summary`` table reads as empty."""
    con = connect_read_only(db)
    try:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'publish'").fetchall()}
        rows = _records(con, f"SELECT {RESULT_COLUMNS} FROM publish.indicator_results "
                             "ORDER BY measure_date, scope_type, scope_id, indicator_id, subgroup")
        catalogue = _records(con, """SELECT indicator_id, label, programme, computation, numerator_label
                                     FROM publish.indicator_catalogue""")
        structures = _records(con, """SELECT finess, scope_type, scope_label, name, libcategetab, departement,
                                             galis_ref, last_seen FROM publish.structures""") \
            if "structures" in tables else []
        quarantine = _records(con, """SELECT source, table_name, file_name, rule_label, severity_label, n_rows,
                                             first_line, example_column FROM publish.quarantine_summary
                                      ORDER BY source, table_name, file_name, rule_label, severity_label""") \
            if "quarantine_summary" in tables else []
        attainment = _records(con, ATTAINMENT_COUNTS)
    finally:
        con.close()
    return assemble(rows, catalogue, structures, quarantine, attainment)


def assemble(rows, catalogue, structures, quarantine, attainment) -> Publication:
    indicators = {c["indicator_id"]: Indicator(c["indicator_id"], c["label"] or c["indicator_id"],
                                               c["programme"] or "", c["computation"] or "computed",
                                               c["numerator_label"])
                  for c in catalogue}
    for r in rows:  # an indicator published without a catalogue row is still shown, as computed
        if r["indicator_id"] not in indicators:
            indicators[r["indicator_id"]] = Indicator(r["indicator_id"], r["label"] or r["indicator_id"],
                                                      r["programme"] or "", "computed")
    by_key = {(s["scope_type"], s["finess"]): s for s in structures
              if s["scope_type"] in STRUCTURE_TYPES and s["finess"]}
    for r in rows:  # a structure with results but no row in publish.structures gets a page named by its FINESS
        key = (r["scope_type"], r["scope_id"])
        if r["scope_type"] in STRUCTURE_TYPES and key not in by_key:
            by_key[key] = {"finess": r["scope_id"], "scope_type": r["scope_type"], "scope_label": r["scope_label"],
                           "name": None, "libcategetab": None, "departement": None, "galis_ref": None,
                           "last_seen": None}
    measure_dates = sorted({r["measure_date"] for r in rows})
    return Publication(rows, indicators, by_key, quarantine, attainment, measure_dates)


def series(rows: list[dict]) -> dict[tuple, dict]:
    """(indicator_id, subgroup) -> {measure_date: row}."""
    out: dict[tuple, dict] = defaultdict(dict)
    for r in rows:
        out[(r["indicator_id"], r["subgroup"])][r["measure_date"]] = r
    return out
