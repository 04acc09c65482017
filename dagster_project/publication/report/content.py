"""What the semestrial report shows, read from the analysts' file into one plain, JSON-serialisable model.

Only tables of schema ``publish`` are read (columns by name, extra columns ignored), through one read-only
connection (``settings.connect_read_only``). Nothing is computed or formatted here: the tier in force, the
pooled ESMS figures and every French text of a figure (« 6,3 % », « 1 / 16 », « au moins 60 % », « 2 ESMS sur
3 », « provisoire », the subgroup, the rule and severity of the quarantine) are columns of the dbt models of
schema publish (dbt/models/publish/). This module chooses which rows are shown and in which order; the layout
(``layout.py``) prints them as they are.

The model holds everything shown and nothing else, apart from the publication date: its SHA-256 (the report's
digest) changes exactly when something the report shows changes.
"""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from ...calendar import is_semester_end, semester_quarters
from ...settings import connect_read_only

LAYOUT_VERSION = 3  # bump when the layout changes: the digest then changes and reports are rebuilt

SCOPE_ORDER = ("dac", "cpts", "esms")

# The indicators a section lists: from the catalogue (declaratives apart, retired ones never); an indicator
# missing from the catalogue counts as computed.
_COMPUTED = ("coalesce(c.computation, 'computed') <> 'declarative' AND NOT coalesce(c.retired, false)")
_DECLARATIVE = "c.computation = 'declarative' AND NOT coalesce(c.retired, false)"

# The texts of a figure, as publish.indicator_results and publish.pooled_results write them.
FIGURE_TEXTS = ("ratio_text", "value_text", "target_text", "attainment_label", "status_label")


def _rows(con, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def natural_key(indicator_id: str) -> str:
    """EP-6.4 < EP-7.1 < EP-INS, 1.2 < 6.6 < 10.1: numbers compared as numbers (the order of the rows)."""
    return re.sub(r"\d+", lambda m: m.group().zfill(6), indicator_id)


def semesters(db: Path) -> list[date]:
    """Semester ends (30/06, 31/12) among the measure dates of publish.indicator_results, in order."""
    con = connect_read_only(db)
    try:
        dates = [r[0] for r in con.execute(
            "SELECT DISTINCT measure_date FROM publish.indicator_results WHERE measure_date IS NOT NULL "
            "ORDER BY 1").fetchall()]
    finally:
        con.close()
    return [d for d in dates if is_semester_end(d)]


def _summary(con, semester_end: date) -> list[dict]:
    """Section 1: every computed indicator at the semester end, the region row (one per EP-3.2 subgroup), then
    the indicators published per structure only, summed over the structures (publish.pooled_results)."""
    region = _rows(con, f"""
        SELECT r.indicator_id, r.subgroup, r.subgroup_label, r.label, r.programme,
               {', '.join('r.' + t for t in FIGURE_TEXTS)},
               r.reference_document_label, r.target_applies_from, r.target_source
        FROM publish.indicator_results AS r LEFT JOIN publish.indicator_catalogue AS c USING (indicator_id)
        WHERE r.scope_type = 'region' AND r.measure_date = ? AND {_COMPUTED}""", [semester_end])
    pooled = _rows(con, f"""
        SELECT p.indicator_id, p.scope_type, s.label AS scope_label, p.n_structures, p.label, p.programme,
               {', '.join('p.' + t for t in FIGURE_TEXTS)},
               d.label AS reference_document_label, p.target_applies_from, p.target_source
        FROM publish.pooled_results AS p
        LEFT JOIN publish.indicator_catalogue AS c USING (indicator_id)
        LEFT JOIN publish.labels AS s ON s.domain = 'scope_type' AND s.code = p.scope_type
        LEFT JOIN publish.labels AS d ON d.domain = 'reference_document' AND d.code = p.reference_document
        WHERE p.grouping = 'region' AND p.measure_date = ? AND {_COMPUTED}""", [semester_end])
    out = [{**r, "pooled": False, "scope_type": "region", "scope_label": None, "n_structures": None}
           for r in region]
    out += [{**p, "pooled": True, "subgroup": None, "subgroup_label": None} for p in pooled]
    out.sort(key=lambda s: (s["programme"] or "", natural_key(s["indicator_id"]), s["scope_type"],
                            s["subgroup"] or ""))
    for s in out:
        del s["subgroup"]
    return out


def _categories(con, semester_end: date) -> list[dict]:
    """Per scope type of the pooled indicators: the region and each FINESS category at the semester end."""
    rows = _rows(con, f"""
        SELECT p.grouping, p.categorie, p.indicator_id, p.scope_type, s.label AS scope_label,
               t.label AS scope_title, p.value_text, p.ratio_text, p.attainment_label
        FROM publish.pooled_results AS p
        LEFT JOIN publish.indicator_catalogue AS c USING (indicator_id)
        LEFT JOIN publish.labels AS s ON s.domain = 'scope_type' AND s.code = p.scope_type
        LEFT JOIN publish.labels AS t ON t.domain = 'scope_title' AND t.code = p.scope_type
        WHERE p.measure_date = ? AND {_COMPUTED}""", [semester_end])
    blocks: dict[str, dict] = {}
    for r in rows:
        b = blocks.setdefault(r["scope_type"], {"scope_type": r["scope_type"], "scope_label": r["scope_label"],
                                                "title": r["scope_title"] or r["scope_label"],
                                                "indicators": set(), "rows": {}})
        b["indicators"].add(r["indicator_id"])
        key = None if r["grouping"] == "region" else r["categorie"]
        b["rows"].setdefault(key, {})[r["indicator_id"]] = {
            k: r[k] for k in ("value_text", "ratio_text", "attainment_label")}
    out = []
    for scope_type in sorted(blocks, key=_scope_order):
        b = blocks[scope_type]
        out.append({"scope_type": scope_type, "scope_label": b["scope_label"], "title": b["title"],
                    "indicators": sorted(b["indicators"], key=natural_key),
                    "region": b["rows"].get(None, {}),
                    "categories": [{"categorie": k, "cells": b["rows"][k]}
                                   for k in sorted(k for k in b["rows"] if k is not None)]})
    return out


def _charts(con, semester_end: date) -> list[dict]:
    """Section 2: per indicator (and EP-3.2 subgroup), every quarter up to the semester end: the region row, else
    the structures' sum (pooled_results, grouping region). A point: date, value, target (drawn), value_text."""
    rows = _rows(con, f"""
        SELECT r.indicator_id, r.subgroup, r.subgroup_label, r.label, r.programme, r.unit, NULL AS pooled_scope,
               NULL AS scope_label, NULL AS n_structures, r.measure_date, r.value, r.target, r.value_text,
               r.target_text
        FROM publish.indicator_results AS r LEFT JOIN publish.indicator_catalogue AS c USING (indicator_id)
        WHERE r.scope_type = 'region' AND r.measure_date <= ? AND {_COMPUTED}
        UNION ALL BY NAME
        SELECT p.indicator_id, NULL AS subgroup, NULL AS subgroup_label, p.label, p.programme, c.unit,
               p.scope_type AS pooled_scope, s.label AS scope_label, p.n_structures, p.measure_date, p.value,
               p.target, p.value_text, p.target_text
        FROM publish.pooled_results AS p
        LEFT JOIN publish.indicator_catalogue AS c USING (indicator_id)
        LEFT JOIN publish.labels AS s ON s.domain = 'scope_type' AND s.code = p.scope_type
        WHERE p.grouping = 'region' AND p.measure_date <= ? AND {_COMPUTED}
        ORDER BY measure_date""", [semester_end, semester_end])
    charts: dict[tuple, dict] = {}
    for r in rows:
        key = (r["programme"] or "", natural_key(r["indicator_id"]), r["pooled_scope"] or "", r["subgroup"] or "")
        c = charts.setdefault(key, {k: r[k] for k in ("indicator_id", "subgroup_label", "label", "unit",
                                                      "pooled_scope", "scope_label")} | {"points": [], "at_end": None})
        c["points"].append([r["measure_date"], r["value"], r["target"], r["value_text"]])
        if r["measure_date"] == semester_end:
            c["at_end"] = {k: r[k] for k in ("value_text", "target", "target_text", "n_structures")}
    return [charts[k] for k in sorted(charts)]


def _scope_order(scope_type: str):
    return (SCOPE_ORDER.index(scope_type) if scope_type in SCOPE_ORDER else len(SCOPE_ORDER), scope_type)


def _structures(con, quarters: tuple[date, date]) -> list[dict]:
    """Section 3: per scope type, every structure with a row at either quarter, each indicator's texts at both."""
    rows = _rows(con, f"""
        SELECT r.scope_type, r.scope_label, t.label AS scope_title, r.scope_id, s.name, r.indicator_id,
               r.subgroup_label, r.measure_date, {', '.join('r.' + t for t in FIGURE_TEXTS)}
        FROM publish.indicator_results AS r
        LEFT JOIN publish.indicator_catalogue AS c USING (indicator_id)
        LEFT JOIN publish.structures AS s ON s.finess = r.scope_id AND s.scope_type = r.scope_type
        LEFT JOIN publish.labels AS t ON t.domain = 'scope_title' AND t.code = r.scope_type
        WHERE r.scope_type <> 'region' AND r.measure_date IN (?, ?) AND {_COMPUTED}""", list(quarters))
    blocks: dict[str, dict] = {}
    for r in rows:
        b = blocks.setdefault(r["scope_type"], {"scope_type": r["scope_type"], "scope_label": r["scope_label"],
                                                "title": r["scope_title"] or r["scope_label"],
                                                "indicators": set(), "items": {}})
        key = r["indicator_id"] + (f" · {r['subgroup_label']}" if r["subgroup_label"] else "")
        b["indicators"].add(key)
        item = b["items"].setdefault(r["scope_id"], {"finess": r["scope_id"], "name": r["name"], "figures": {}})
        item["figures"].setdefault(key, {})[r["measure_date"].isoformat()] = {t: r[t] for t in FIGURE_TEXTS}
    out = []
    for scope_type in sorted(blocks, key=_scope_order):
        b = blocks[scope_type]
        out.append({**{k: b[k] for k in ("scope_type", "scope_label", "title")},
                    "indicators": sorted(b["indicators"], key=natural_key),
                    "items": [b["items"][f] for f in sorted(b["items"])]})
    return out


def _declaratives(con, quarters: tuple[date, date]) -> list[dict]:
    """Section 4: the declaratives of the region at both quarters, with their evidence."""
    rows = _rows(con, f"""
        SELECT r.indicator_id, r.label, r.measure_date, r.attainment_label, r.status_label,
               r.evidence_reference, r.evidence_date
        FROM publish.indicator_results AS r JOIN publish.indicator_catalogue AS c USING (indicator_id)
        WHERE r.scope_type = 'region' AND r.measure_date IN (?, ?) AND {_DECLARATIVE}""", list(quarters))
    return sorted(rows, key=lambda d: (natural_key(d["indicator_id"]), d["measure_date"]))


def _quarantine(con) -> list[dict]:
    """Section 5: publish.quarantine_summary as it is (one row per table, file, rule and severity)."""
    return _rows(con, """
        SELECT table_name, file_name, rule_label, severity_label, n_rows, first_line, example_column
        FROM publish.quarantine_summary
        ORDER BY table_name, rule_label, severity_label, file_name""")


def _quality(info: dict) -> dict | None:
    """The gate's summary of the run (``info["quality"]``, written by publish.py): counts, warnings (their id and
    table: what a check means is English, for engineers, on the quality page) and overrides."""
    q = info.get("quality")
    if not isinstance(q, dict):
        return None

    def plain(v):
        return v if v is None or isinstance(v, (str, int, float, bool)) else json.dumps(
            v, ensure_ascii=False, sort_keys=True, default=str)

    return {
        **{k: q.get(k) for k in ("files_ingested", "files_refused", "rows_loaded", "rows_quarantined",
                                 "values_flagged")},
        "warnings": [{k: plain(w.get(k)) for k in ("id", "table")}
                     for w in q.get("warnings") or [] if isinstance(w, dict)],
        "overrides": [{k: plain(o.get(k)) for k in ("id", "reason", "by", "at")}
                      for o in q.get("overrides") or [] if isinstance(o, dict)],
    }


def load_content(db: Path, semester_end: date, info: dict) -> dict:
    """Everything the report of ``semester_end`` shows (dates as ISO strings once dumped).

    The publication date is not part of it: it is the one thing allowed to differ between two renderings.
    """
    quarters = semester_quarters(semester_end)
    con = connect_read_only(db)
    try:
        region_codes = [r[0] for r in con.execute(
            "SELECT DISTINCT scope_id FROM publish.indicator_results WHERE scope_type = 'region' ORDER BY 1"
        ).fetchall()]
        summary = _summary(con, semester_end)
        categories = _categories(con, semester_end)
        charts = _charts(con, semester_end)
        structures = _structures(con, quarters)
        declaratives = _declaratives(con, quarters)
        quarantine = _quarantine(con)
    finally:
        con.close()
    return {
        "layout_version": LAYOUT_VERSION,
        "semester_end": semester_end, "quarters": list(quarters),
        "measure_dates": sorted({p[0] for c in charts for p in c["points"]}),
        "region_code": info.get("region_code") or (region_codes[0] if len(region_codes) == 1 else None),
        "region_name": info.get("region_name"),
        "code_version": info.get("code_version"), "results_sha256": info.get("results_sha256"),
        "summary": summary, "categories": categories, "charts": charts, "structures": structures,
        "declaratives": declaratives, "quality": _quality(info), "quarantine": quarantine,
    }
