"""The semestrial report: one PDF per region and semester (30/06, 31/12), for the ministry (DGOS).

Why: the guide E-parcours asks every usage indicator to be reported each semester (« Fréquence :
Semestrielle »), per structure, with the target in force and the document it comes from.

The report reads only the analysts' DuckDB file (schema ``publish``, opened read-only, columns read by name)
and shows, in this order: a title page (region, semester, the two measure dates covered, publication date,
code version, SHA-256 of the published results); the regional summary at the semester end against the target
in force and its source quotation; one chart per indicator (every quarter up to the semester end, target
drawn); per-structure tables (every DAC, CPTS and ESMS, both quarters of the semester); the declaratives with
their evidence; the data-quality summary. Every page has « page n / N » with the region and the semester.

Two steps, kept apart so that the publication can reuse an unchanged report: ``load_content`` reads the
database into a plain, JSON-serialisable model of everything the report shows (raw values, no formatting, no
publication date) and ``_render`` lays it out. ``semester_digest`` is the SHA-256 of that model, so it changes
exactly when something the report shows changes. The PDF is written in reportlab's invariant mode: same
inputs, same bytes, apart from the publication date printed on the title page.

The target quotation is the tier in force: for the row's indicator, subgroup and reference document, the tier
with the latest ``applies_from`` on or before the measure date (``publish.indicator_targets``).

Indicators published without a regional row (ESMS Numérique: per establishment only) are summarised here as
Σ numerators / Σ denominators over the structures (the rule of the E-parcours regional rows), together with
the number of structures meeting their own target, for the region and per structure type (FINESS category).
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

from ..settings import duckdb_config

LAYOUT_VERSION = 1  # bump when the layout changes: the digest then changes and reports are rebuilt

STATUS_FR = {"final": "définitif", "provisional": "provisoire", "no_data": "sans donnée"}
SCOPE_TITLES = {
    "dac": "Dispositifs d'appui à la coordination (DAC)",
    "cpts": "Communautés professionnelles territoriales de santé (CPTS)",
    "esms": "Établissements et services médico-sociaux (ESMS)",
}
SCOPE_ORDER = ("dac", "cpts", "esms")


# --------------------------------------------------------------------------------------------------------
# Dates and French formats (pure)
# --------------------------------------------------------------------------------------------------------

def is_semester_end(d: date) -> bool:
    return (d.month, d.day) in ((6, 30), (12, 31))


def semester_quarters(semester_end: date) -> tuple[date, date]:
    """The two measure dates of the semester: 31/03 and 30/06, or 30/09 and 31/12."""
    if not is_semester_end(semester_end):
        raise ValueError(f"{semester_end} is not a semester end (30/06 or 31/12)")
    if semester_end.month == 6:
        return date(semester_end.year, 3, 31), semester_end
    return date(semester_end.year, 9, 30), semester_end


def semester_code(semester_end: date) -> str:
    return f"{semester_end.year}-S{1 if semester_end.month == 6 else 2}"


def semester_title(semester_end: date) -> str:
    return f"{'1er' if semester_end.month == 6 else '2e'} semestre {semester_end.year}"


def report_name(region_code: str, semester_end: date) -> str:
    return f"rapport_semestriel_{region_code}_{semester_code(semester_end)}.pdf"


def quarter_label(d: date) -> str:
    return f"T{(d.month - 1) // 3 + 1} {d.year}"


def fr_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "—"


def fr_int(n) -> str:
    return "—" if n is None else f"{int(n):,}".replace(",", " ")


def fr_decimal(v, digits: int = 1) -> str:
    """Rounded half up (6,25 -> 6,3), comma for decimals, space for thousands: 1234.56 -> '1 234,6'."""
    exact = v if isinstance(v, Decimal) else Decimal(repr(float(v)))
    rounded = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{digits}f}".replace(",", " ").replace(".", ",")


def shown_value(value, numerator=None, denominator=None, unit: str | None = "%"):
    """What is printed for a published value: for a percentage that is 100 · n / d (to the published two
    decimals) the exact ratio, so that one decimal is not a rounding of a rounding (80 / 43 = 186,046… is
    186,0 %, not 186,05 -> 186,1 %); otherwise the published value as it is."""
    if value is None or unit != "%" or numerator is None or not denominator:
        return value
    exact = Decimal(100 * int(numerator)) / Decimal(int(denominator))
    return exact if abs(exact - Decimal(repr(float(value)))) <= Decimal("0.005") else value


def fr_value(v, unit: str | None, numerator=None, denominator=None) -> str:
    """6 / 7 -> '85,7 %'; days (EP-5.2) -> '274 j'; None -> '—'."""
    v = shown_value(v, numerator, denominator, unit)
    if v is None:
        return "—"
    if unit == "jours":
        return f"{fr_decimal(v, 0)} j"
    return f"{fr_decimal(v, 1)} %" if unit == "%" else fr_decimal(v, 1)


def fr_target(t, unit: str | None) -> str:
    """Targets are round figures: 60.0 -> '60 %', 62.5 -> '62,5 %', 183 days -> '183 j'."""
    if t is None:
        return "—"
    text = fr_decimal(t, 0) if float(t).is_integer() else fr_decimal(t, 1)
    return f"{text} j" if unit == "jours" else (f"{text} %" if unit == "%" else text)


def fr_comparison(comparison: str | None) -> str:
    return {"gte": "au moins", "lte": "au plus"}.get(comparison or "", "")


def fr_met(met) -> str:
    return "—" if met is None else ("oui" if met else "non")


def fr_published_at(value) -> str:
    """'2025-01-14T09:30:00+00:00' -> '14/01/2025 à 09:30 (UTC)'; anything unparsable is shown as given."""
    if not value:
        return "non renseignée"
    try:
        dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    text = dt.strftime("%d/%m/%Y à %H:%M")
    off = dt.utcoffset()
    if off is None:
        return text
    if not off:
        return f"{text} (UTC)"
    minutes = int(off.total_seconds() // 60)
    return f"{text} (UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"


def natural_key(indicator_id: str) -> str:
    """EP-6.4 < EP-7.1 < EP-INS, 1.2 < 6.6 < 10.1: numbers compared as numbers."""
    return re.sub(r"\d+", lambda m: m.group().zfill(6), indicator_id)


def percent(numerator, denominator) -> float | None:
    return None if not denominator else round(100.0 * numerator / denominator, 2)


# --------------------------------------------------------------------------------------------------------
# Target tiers
# --------------------------------------------------------------------------------------------------------

def tier_in_force(tiers: list[dict], indicator_id: str, subgroup: str | None, reference_document: str | None,
                  measure_date: date) -> dict | None:
    """The tier with the latest applies_from <= measure date for this indicator, subgroup and document."""
    candidates = [t for t in tiers
                  if t["indicator_id"] == indicator_id and t["subgroup"] == subgroup
                  and t["reference_document"] == reference_document
                  and t["applies_from"] is not None and t["applies_from"] <= measure_date]
    if not candidates:
        return None
    return max(candidates, key=lambda t: (t["applies_from"], t["target"] is not None, t["target"] or 0,
                                          t["source"] or ""))


# --------------------------------------------------------------------------------------------------------
# Reading the publication into the report's model (everything shown, raw values)
# --------------------------------------------------------------------------------------------------------

RESULT_COLUMNS = ("indicator_id", "label", "scope_type", "scope_id", "subgroup", "numerator", "denominator",
                  "value", "target", "target_met", "status", "reference_document", "measure_date",
                  "evidence_reference", "evidence_date")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'publish'").fetchall()}


def semesters(db: Path) -> list[date]:
    """Semester ends (30/06, 31/12) among the measure dates of publish.indicator_results, in order."""
    con = duckdb.connect(str(db), read_only=True, config=duckdb_config())
    try:
        dates = [r[0] for r in con.execute(
            "SELECT DISTINCT measure_date FROM publish.indicator_results WHERE measure_date IS NOT NULL "
            "ORDER BY 1").fetchall()]
    finally:
        con.close()
    return [d for d in dates if is_semester_end(d)]


def _catalogue(con) -> dict[str, dict]:
    rows = _rows(con, "SELECT indicator_id, label, programme, computation, unit, scopes, retired "
                      "FROM publish.indicator_catalogue")
    return {r["indicator_id"]: r for r in rows}


def _tiers(con) -> list[dict]:
    return _rows(con, "SELECT indicator_id, subgroup, reference_document, applies_from, target, comparison, "
                      "unit, source FROM publish.indicator_targets")


def _structure_info(con) -> dict[tuple[str, str], dict]:
    rows = _rows(con, """SELECT scope_type, finess, arg_max(name, last_seen) AS name,
                                arg_max(libcategetab, last_seen) AS libcategetab,
                                arg_max(categetab, last_seen) AS categetab
                         FROM publish.structures GROUP BY ALL""")
    return {(r["scope_type"], r["finess"]): r for r in rows}


def _indicator_meta(catalogue: dict, results: list[dict]) -> dict[str, dict]:
    """Label, unit, programme and kind of every indicator shown (catalogue first, results as fallback)."""
    meta = {}
    for r in results:
        c = catalogue.get(r["indicator_id"], {})
        meta.setdefault(r["indicator_id"], {
            "label": c.get("label") or r["label"],
            "programme": c.get("programme") or "",
            "unit": c.get("unit") or ("%" if r["denominator"] is not None else None),
            "declarative": c.get("computation") == "declarative",
            "retired": bool(c.get("retired")),
        })
    return meta


def _summary_row(r: dict, meta: dict, tiers: list[dict]) -> dict:
    tier = tier_in_force(tiers, r["indicator_id"], r["subgroup"], r["reference_document"], r["measure_date"])
    return {
        "indicator_id": r["indicator_id"], "subgroup": r["subgroup"], "label": meta["label"],
        "programme": meta["programme"], "unit": meta["unit"], "scope": "region",
        "numerator": r["numerator"], "denominator": r["denominator"], "value": r["value"],
        "target": r["target"], "comparison": tier["comparison"] if tier else None, "target_met": r["target_met"],
        "status": r["status"], "reference_document": r["reference_document"],
        "tier_applies_from": tier["applies_from"] if tier else None, "source": tier["source"] if tier else None,
    }


def _pooled_status(g: dict) -> str:
    if not g["den"] or g["n_no_data"] == g["n"]:
        return "no_data"
    return "provisional" if g["n_provisional"] else "final"


def _pooled_groups(con, indicator_ids: list[str], semester_end: date) -> list[dict]:
    """Σ numerator / Σ denominator over the structures, per indicator, scope type, document and date."""
    if not indicator_ids:
        return []
    return _rows(con, """
        SELECT indicator_id, scope_type, reference_document, measure_date, count(*) AS n,
               coalesce(sum(numerator), 0) AS num, coalesce(sum(denominator), 0) AS den,
               count(*) FILTER (WHERE target_met) AS n_met, count(target_met) AS n_judged,
               count(*) FILTER (WHERE status = 'no_data') AS n_no_data,
               count(*) FILTER (WHERE status = 'provisional') AS n_provisional
        FROM publish.indicator_results
        WHERE scope_type <> 'region' AND subgroup IS NULL AND measure_date <= ?
          AND list_contains(?, indicator_id)
        GROUP BY ALL ORDER BY ALL""", [semester_end, indicator_ids])


def _pooled_summary_row(g: dict, meta: dict, tiers: list[dict]) -> dict:
    tier = tier_in_force(tiers, g["indicator_id"], None, g["reference_document"], g["measure_date"])
    return {
        "indicator_id": g["indicator_id"], "subgroup": None, "label": meta["label"],
        "programme": meta["programme"], "unit": meta["unit"], "scope": g["scope_type"],
        "numerator": int(g["num"]), "denominator": int(g["den"]), "value": percent(g["num"], g["den"]),
        "target": tier["target"] if tier else None, "comparison": tier["comparison"] if tier else None,
        "target_met": None, "n_structures": g["n"], "n_met": g["n_met"], "n_judged": g["n_judged"],
        "status": _pooled_status(g), "reference_document": g["reference_document"],
        "tier_applies_from": tier["applies_from"] if tier else None, "source": tier["source"] if tier else None,
    }


def _by_structure_type(con, scope_type: str, indicator_ids: list[str], semester_end: date,
                       structures: dict) -> list[dict]:
    """At the semester end, per FINESS category: structures, Σ num / Σ den, structures meeting the target."""
    rows = _rows(con, """
        SELECT scope_id, indicator_id, numerator, denominator, target_met
        FROM publish.indicator_results
        WHERE scope_type = ? AND measure_date = ? AND subgroup IS NULL AND list_contains(?, indicator_id)""",
                 [scope_type, semester_end, indicator_ids])
    groups: dict[str, dict] = {}
    for r in rows:
        s = structures.get((scope_type, r["scope_id"]), {})
        kind = s.get("libcategetab") or s.get("categetab") or "Catégorie non renseignée"
        g = groups.setdefault(kind, {"structure_type": kind, "structures": set(), "cells": {}})
        g["structures"].add(r["scope_id"])
        c = g["cells"].setdefault(r["indicator_id"], {"num": 0, "den": 0, "n_met": 0, "n_judged": 0})
        c["num"] += r["numerator"] or 0
        c["den"] += r["denominator"] or 0
        c["n_met"] += 1 if r["target_met"] else 0
        c["n_judged"] += 0 if r["target_met"] is None else 1
    out = []
    for kind in sorted(groups):
        g = groups[kind]
        cells = {i: {**c, "value": percent(c["num"], c["den"])} for i, c in sorted(g["cells"].items())}
        out.append({"structure_type": kind, "n_structures": len(g["structures"]), "cells": cells})
    return out


def _structure_blocks(results: list[dict], quarters: tuple[date, date], meta: dict,
                      structures: dict) -> list[dict]:
    """Per scope type: its indicators and, per structure, each indicator's figures at both quarters."""
    blocks = {}
    for r in results:
        if r["scope_type"] == "region" or r["measure_date"] not in quarters or meta[r["indicator_id"]]["retired"]:
            continue
        b = blocks.setdefault(r["scope_type"], {"indicators": set(), "items": {}})
        key = r["indicator_id"] + (f" · {r['subgroup']}" if r["subgroup"] else "")
        b["indicators"].add(key)
        item = b["items"].setdefault(r["scope_id"], {})
        item.setdefault(key, {})[r["measure_date"].isoformat()] = {
            k: r[k] for k in ("numerator", "denominator", "value", "target", "target_met", "status")}
    out = []
    for scope_type in sorted(blocks, key=lambda s: (SCOPE_ORDER.index(s) if s in SCOPE_ORDER else 99, s)):
        b = blocks[scope_type]
        indicators = sorted(b["indicators"], key=natural_key)
        items = []
        for finess in sorted(b["items"]):
            s = structures.get((scope_type, finess), {})
            items.append({"finess": finess, "name": s.get("name"), "figures": b["items"][finess]})
        out.append({"scope_type": scope_type,
                    "indicators": [{"key": i, "unit": meta[i.split(" · ")[0]]["unit"]} for i in indicators],
                    "items": items})
    return out


def _quarantine(con, tables: set[str]) -> list[dict]:
    if "quarantine_summary" not in tables:
        return []
    return _rows(con, """
        SELECT table_name, rule, severity, count(DISTINCT file_name) AS files, sum(n_rows) AS n_rows,
               arg_min(example_reason, file_name || ':' || lpad(CAST(first_line AS VARCHAR), 12, '0'))
                   AS example_reason
        FROM publish.quarantine_summary GROUP BY ALL ORDER BY table_name, rule, severity""")


def _quality(info: dict) -> dict | None:
    q = info.get("quality")
    if not isinstance(q, dict):
        return None

    def plain(v):
        return v if v is None or isinstance(v, (str, int, float, bool)) else json.dumps(
            v, ensure_ascii=False, sort_keys=True, default=str)

    return {
        **{k: q.get(k) for k in ("files_ingested", "files_refused", "rows_loaded", "rows_quarantined",
                                 "values_flagged")},
        "warnings": [{k: plain(w.get(k)) for k in ("id", "table", "means", "observed")}
                     for w in q.get("warnings") or [] if isinstance(w, dict)],
        "overrides": [{k: plain(o.get(k)) for k in ("id", "reason", "by", "at")}
                      for o in q.get("overrides") or [] if isinstance(o, dict)],
    }


def load_content(db: Path, semester_end: date, info: dict) -> dict:
    """Everything the report of ``semester_end`` shows, as plain values (dates as ISO strings once dumped).

    The publication date is not part of it: it is the one thing allowed to differ between two renderings.
    """
    quarters = semester_quarters(semester_end)
    con = duckdb.connect(str(db), read_only=True, config=duckdb_config())
    try:
        tables = _tables(con)
        catalogue = _catalogue(con)
        tiers = _tiers(con)
        structures = _structure_info(con) if "structures" in tables else {}
        results = _rows(con, f"""
            SELECT {', '.join(RESULT_COLUMNS)} FROM publish.indicator_results
            WHERE measure_date <= ? AND (scope_type = 'region' OR measure_date >= ?)
            ORDER BY measure_date, indicator_id, scope_type, scope_id, subgroup NULLS FIRST""",
                        [semester_end, quarters[0]])
        meta = _indicator_meta(catalogue, results)
        computed = sorted((i for i, m in meta.items() if not m["declarative"] and not m["retired"]),
                          key=natural_key)
        region = [r for r in results if r["scope_type"] == "region" and r["indicator_id"] in computed]
        with_region = {r["indicator_id"] for r in region}
        pooled_ids = [i for i in computed if i not in with_region and meta[i]["unit"] == "%"]
        pooled = _pooled_groups(con, pooled_ids, semester_end)
        pooled_scopes = sorted({g["scope_type"] for g in pooled})
        by_type = {s: _by_structure_type(con, s, sorted({g["indicator_id"] for g in pooled
                                                        if g["scope_type"] == s}, key=natural_key),
                                         semester_end, structures) for s in pooled_scopes}
        quarantine = _quarantine(con, tables)
    finally:
        con.close()

    all_dates = sorted({r["measure_date"] for r in region} | {g["measure_date"] for g in pooled})
    region_codes = sorted({r["scope_id"] for r in results if r["scope_type"] == "region"})
    summary = [_summary_row(r, meta[r["indicator_id"]], tiers) for r in region if r["measure_date"] == semester_end]
    summary += [_pooled_summary_row(g, meta[g["indicator_id"]], tiers) for g in pooled
                if g["measure_date"] == semester_end]
    summary.sort(key=lambda s: (s["programme"], natural_key(s["indicator_id"]), s["scope"], s["subgroup"] or ""))

    chart_list = _charts(region, pooled, meta, tiers, summary)
    declaratives = [{**{k: r[k] for k in ("indicator_id", "measure_date", "target_met", "status",
                                          "evidence_reference", "evidence_date", "reference_document")},
                     "label": meta[r["indicator_id"]]["label"]}
                    for r in results if r["scope_type"] == "region" and meta[r["indicator_id"]]["declarative"]
                    and r["measure_date"] in quarters]
    declaratives.sort(key=lambda d: (natural_key(d["indicator_id"]), d["measure_date"]))

    return {
        "layout_version": LAYOUT_VERSION,
        "semester_end": semester_end, "quarters": list(quarters), "measure_dates": all_dates,
        "region_code": info.get("region_code") or (region_codes[0] if len(region_codes) == 1 else None),
        "region_name": info.get("region_name"),
        "code_version": info.get("code_version"), "results_sha256": info.get("results_sha256"),
        "summary": summary, "by_structure_type": by_type, "charts": chart_list,
        "structures": _structure_blocks(results, quarters, meta, structures),
        "declaratives": declaratives, "quality": _quality(info), "quarantine": quarantine,
    }


def _chart(meta: dict, indicator_id: str, subgroup: str | None, pooled: str | None = None) -> dict:
    m = meta[indicator_id]
    return {"indicator_id": indicator_id, "subgroup": subgroup, "label": m["label"], "unit": m["unit"],
            "pooled": pooled, "points": []}


def _charts(region: list[dict], pooled: list[dict], meta: dict, tiers: list[dict], summary: list[dict]) -> list:
    """One series per indicator (and EP-3.2 subgroup): the regional row, else the structures' Σ, every quarter."""
    charts = {}
    for r in region:
        c = charts.setdefault((r["indicator_id"], r["subgroup"] or ""), _chart(meta, r["indicator_id"], r["subgroup"]))
        c["points"].append([r["measure_date"], r["value"], r["target"], r["status"], r["numerator"],
                            r["denominator"]])
    for g in pooled:
        row = _pooled_summary_row(g, meta[g["indicator_id"]], tiers)
        c = charts.setdefault((g["indicator_id"], g["scope_type"]),
                              _chart(meta, g["indicator_id"], None, pooled=g["scope_type"]))
        c["points"].append([g["measure_date"], row["value"], row["target"], row["status"], row["numerator"],
                            row["denominator"]])
    out = [charts[k] for k in sorted(charts, key=lambda k: (meta[k[0]]["programme"], natural_key(k[0]), k[1]))]
    for c in out:
        at_end = [s for s in summary if s["indicator_id"] == c["indicator_id"] and s["subgroup"] == c["subgroup"]]
        c["comparison"] = at_end[0]["comparison"] if at_end else None
    return out


def _canonical(content: dict) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=lambda v: v.isoformat() if isinstance(v, (date, datetime)) else str(v)).encode()


def semester_digest(db: Path, semester_end: date, info: dict) -> str:
    """SHA-256 of everything the report of that semester shows (not the publication date)."""
    return hashlib.sha256(_canonical(load_content(db, semester_end, info))).hexdigest()


def write_semester_report(db: Path, out_dir: Path, semester_end: date, info: dict) -> Path:
    """Write ``out_dir/rapport_semestriel_<region>_<YYYY>-S<n>.pdf`` (atomically) and return its path."""
    content = load_content(db, semester_end, info)
    digest = hashlib.sha256(_canonical(content)).hexdigest()
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / report_name(content["region_code"] or "region", semester_end)
    tmp = out.with_name(".tmp-" + out.name)
    try:
        _render(content, info.get("published_at"), digest, tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


# --------------------------------------------------------------------------------------------------------
# Rendering (reportlab platypus; imported lazily, only when a report is written)
# --------------------------------------------------------------------------------------------------------

MM = 72 / 25.4
PAGE_MARGIN = 12 * MM
TOP_MARGIN, BOTTOM_MARGIN = 12 * MM, 14 * MM
BODY_WIDTH = 210 * MM - 2 * PAGE_MARGIN
FRAME_HEIGHT = 297 * MM - TOP_MARGIN - BOTTOM_MARGIN
TABLE_FONT = 6.5
TABLE_ROW = 8.6
GRID = (0.82, 0.82, 0.82)
HEAD_BG = (0.90, 0.92, 0.96)


def _esc(text) -> str:
    from xml.sax.saxutils import escape
    return escape("" if text is None else str(text))


def _styles() -> dict:
    from reportlab.lib.styles import ParagraphStyle
    base = ParagraphStyle("base", fontName="Helvetica", fontSize=9, leading=11.5)
    return {
        "title": ParagraphStyle("title", base, fontName="Helvetica-Bold", fontSize=19, leading=24, spaceAfter=6),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=12.5, leading=16, spaceAfter=14),
        "h1": ParagraphStyle("h1", base, fontName="Helvetica-Bold", fontSize=13, leading=16, spaceBefore=10,
                             spaceAfter=6, keepWithNext=1),
        "h2": ParagraphStyle("h2", base, fontName="Helvetica-Bold", fontSize=10.5, leading=13, spaceBefore=8,
                             spaceAfter=4, keepWithNext=1),
        "body": base,
        "note": ParagraphStyle("note", base, fontSize=7.5, leading=9.5, spaceAfter=4, keepWithNext=1),
        "cell": ParagraphStyle("cell", base, fontSize=7, leading=8.4),
        "cell_small": ParagraphStyle("cell_small", base, fontSize=6.3, leading=7.5),
        "chart_title": ParagraphStyle("chart_title", base, fontSize=7.5, leading=9),
    }


def _table_style(extra: list | None = None, header_rows: int = 1, font_size: float = 7) -> list:
    from reportlab.lib import colors
    cmds = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", font_size),
        ("FONT", (0, 0), (-1, header_rows - 1), "Helvetica-Bold", font_size),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.Color(*HEAD_BG)),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.Color(*GRID)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    return cmds + (extra or [])


def _region_text(content: dict) -> str:
    return " ".join(x for x in (content["region_code"], content["region_name"]) if x) or "non renseignée"


def _summary_met(s: dict, scope_word: str) -> str:
    if s["scope"] != "region":
        return f"{s['n_met']} {scope_word} sur {s['n_judged']}" if s["n_judged"] else "—"
    if s["target"] is None:
        return "sans cible"
    return "—" if s["target_met"] is None else ("atteinte" if s["target_met"] else "non atteinte")


def _source_cell(s: dict, st: dict):
    from reportlab.platypus import Paragraph
    tier = f" (palier du {fr_date(s['tier_applies_from'])})" if s["tier_applies_from"] else ""
    source = _esc(s["source"]) if s["source"] else "aucun palier de cible pour ce document"
    return Paragraph(f"<b>{_esc(s['reference_document'])}</b>{tier}<br/>{source}", st["cell_small"])


def _indicator_cell(s: dict, st: dict, scope_word: str):
    from reportlab.platypus import Paragraph
    head = f"<b>{_esc(s['indicator_id'])}</b>" + (f" · {_esc(s['subgroup'])}" if s["subgroup"] else "")
    if s["scope"] != "region":
        head += f" · ensemble des {s['n_structures']} {scope_word} (Σ num. / Σ dén.)"
    return Paragraph(f"{head}<br/>{_esc(s['label'])}", st["cell_small"])


def _scope_word(scope_type: str) -> str:
    return scope_type.upper() if scope_type in SCOPE_TITLES else scope_type


def _summary_section(content: dict, st: dict) -> list:
    from reportlab.platypus import Paragraph, Spacer, Table
    end = content["semester_end"]
    story = [Paragraph(f"1. Synthèse régionale au {fr_date(end)}", st["h1"]),
             Paragraph("Chaque indicateur calculé à la fin du semestre, au niveau régional (EP-3.2 : par groupe de "
                       "structures), comparé à la cible en vigueur à la date de mesure. La cible est atteinte quand "
                       "la valeur est au moins égale à la cible, ou au plus égale pour une cible « au plus ». La "
                       "source est la citation du texte officiel pour le palier en vigueur (document de référence "
                       "de la ligne, dernier palier applicable à la date de mesure). Les indicateurs publiés par "
                       "structure seulement (ESMS Numérique) sont agrégés ici (somme des numérateurs sur somme des "
                       "dénominateurs) ; la colonne « Atteinte » y donne le nombre de structures atteignant "
                       "leur cible.", st["note"])]
    header = ["Indicateur", "Num.", "Dén.", "Valeur", "Cible", "Atteinte", "Statut", "Document de référence et source"]
    widths = [50 * MM, 12 * MM, 12 * MM, 14 * MM, 17 * MM, 18 * MM, 15 * MM]
    widths.append(BODY_WIDTH - sum(widths))
    for programme in sorted({s["programme"] for s in content["summary"]}):
        rows = [header]
        for s in (x for x in content["summary"] if x["programme"] == programme):
            word = _scope_word(s["scope"])
            target = f"{fr_comparison(s['comparison'])}\n{fr_target(s['target'], s['unit'])}" \
                if s["target"] is not None else "—"
            rows.append([_indicator_cell(s, st, word), fr_int(s["numerator"]), fr_int(s["denominator"]),
                         fr_value(s["value"], s["unit"], s["numerator"], s["denominator"]), target, _summary_met(s, word),
                         STATUS_FR.get(s["status"], s["status"] or "—"), _source_cell(s, st)])
        story += [Paragraph(_esc(programme or "Autres indicateurs"), st["h2"]),
                  Table(rows, colWidths=widths, repeatRows=1, style=_table_style(
                      [("ALIGN", (1, 1), (3, -1), "RIGHT")]))]
    for scope_type, groups in content["by_structure_type"].items():
        story += _by_type_table(content, scope_type, groups, st)
    if not content["summary"]:
        story.append(Paragraph("Aucun indicateur calculé à cette date.", st["body"]))
    return story + [Spacer(1, 4)]


def _by_type_table(content: dict, scope_type: str, groups: list[dict], st: dict) -> list:
    from reportlab.platypus import Paragraph, Table
    word = _scope_word(scope_type)
    pooled = {s["indicator_id"]: s for s in content["summary"] if s["scope"] == scope_type}
    ids = sorted(pooled, key=natural_key)
    if not ids:
        return []
    widths = [52 * MM, 12 * MM]
    col = (BODY_WIDTH - sum(widths)) / len(ids)
    rows = [["Catégorie d'établissement (FINESS)", word] + ids]

    def cell(c):
        if not c:
            return "—"
        return f"{fr_value(c['value'], '%', c['num'], c['den'])}\n{c['n_met']} / {c['n_judged']} à la cible"

    total = sum(g["n_structures"] for g in groups)
    rows.append([Paragraph("<b>Ensemble de la région</b>", st["cell"]), fr_int(total)]
                + [cell({"value": pooled[i]["value"], "num": pooled[i]["numerator"], "den": pooled[i]["denominator"],
                         "n_met": pooled[i]["n_met"], "n_judged": pooled[i]["n_judged"]}) for i in ids])
    for g in groups:
        rows.append([Paragraph(_esc(g["structure_type"]), st["cell"]), fr_int(g["n_structures"])]
                    + [cell(g["cells"].get(i)) for i in ids])
    return [Paragraph(f"{_esc(SCOPE_TITLES.get(scope_type, scope_type))} par catégorie au "
                      f"{fr_date(content['semester_end'])}", st["h2"]),
            Paragraph("Par catégorie : taux agrégé (somme des numérateurs sur somme des dénominateurs) puis "
                      "nombre de structures atteignant leur cible sur le nombre de structures ayant une cible "
                      "et une valeur.", st["note"]),
            Table(rows, colWidths=widths + [col] * len(ids), repeatRows=1,
                  style=_table_style([("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("ALIGN", (2, 0), (-1, 0), "RIGHT")]))]


def _nice_max(m: float) -> float:
    if m <= 0:
        return 1.0
    exp = 10 ** max(len(str(int(m))) - 2, -1)
    for mult in (1, 2, 2.5, 5, 10, 20, 25, 50, 100):
        step = mult * exp
        if m / step <= 5:
            return step * -(-m // step)
    return m


def _chart_drawing(chart: dict, dates: list[date], quarters: list[date], w: float, h: float):
    from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
    from reportlab.lib import colors
    d = Drawing(w, h)
    left, right, bottom, top = 26, 6, 24, 6
    pw, ph = w - left - right, h - bottom - top
    points = {p[0]: p for p in chart["points"]}
    n = max(len(dates), 1)
    step = pw / n
    unit = chart["unit"]
    seen = [p[1] for p in chart["points"] if p[1] is not None] + [p[2] for p in chart["points"] if p[2] is not None]
    ymax = _nice_max(max(seen + ([100.0] if unit == "%" else [])) if seen else (100.0 if unit == "%" else 1.0))

    def x(i):
        return left + step * (i + 0.5)

    def y(v):
        return bottom + ph * min(max(v, 0), ymax) / ymax

    for i, dd in enumerate(dates):
        if dd in quarters:
            d.add(Rect(x(i) - step / 2, bottom, step, ph, fillColor=colors.Color(0.93, 0.93, 0.93),
                       strokeColor=None, strokeWidth=0))
    for k in range(6):
        v = ymax * k / 5
        d.add(Line(left, y(v), left + pw, y(v), strokeColor=colors.Color(*GRID), strokeWidth=0.3))
        d.add(String(left - 2, y(v) - 2, fr_decimal(v, 0), fontName="Helvetica", fontSize=5.5, textAnchor="end"))
    d.add(Line(left, bottom, left + pw, bottom, strokeColor=colors.black, strokeWidth=0.5))
    d.add(Line(left, bottom, left, bottom + ph, strokeColor=colors.black, strokeWidth=0.5))
    every = -(-n // 8)
    for i, dd in enumerate(dates):
        if (n - 1 - i) % every == 0:
            d.add(String(x(i), bottom - 8, f"T{(dd.month - 1) // 3 + 1}", fontName="Helvetica", fontSize=5.5,
                         textAnchor="middle"))
            d.add(String(x(i), bottom - 15, str(dd.year), fontName="Helvetica", fontSize=5.5, textAnchor="middle"))
    # target: dashed step line, one run per stretch of equal targets
    run = []
    for i, dd in enumerate(dates + [None]):
        t = points.get(dd, [None, None, None])[2] if dd else None
        if run and (t is None or t != run[-1][1]):
            d.add(Line(x(run[0][0]) - step / 2, y(run[0][1]), x(run[-1][0]) + step / 2, y(run[0][1]),
                       strokeColor=colors.Color(0.75, 0.1, 0.1), strokeWidth=1, strokeDashArray=[3, 2]))
            run = []
        if t is not None:
            run.append((i, t))
    # value: solid line, broken where a quarter has no value
    segment = []
    for i, dd in enumerate(dates + [None]):
        v = points.get(dd, [None, None])[1] if dd else None
        if v is None:
            if len(segment) > 1:
                d.add(PolyLine([c for p in segment for c in p], strokeColor=colors.Color(0.1, 0.3, 0.65),
                               strokeWidth=1.3))
            segment = []
            continue
        segment.append((x(i), y(v)))
        d.add(Circle(x(i), y(v), 1.6, fillColor=colors.Color(0.1, 0.3, 0.65), strokeColor=None))
    last = points.get(dates[-1]) if dates else None
    if last and last[1] is not None:
        d.add(String(x(n - 1), y(last[1]) + 4, fr_value(last[1], unit, last[4], last[5]), fontName="Helvetica-Bold", fontSize=6,
                     textAnchor="end" if n > 1 else "middle"))
    d.add(String(left, 2, "valeur (trait plein)   cible (tirets)   semestre (fond gris)", fontName="Helvetica",
                 fontSize=5.5))
    return d


def _chart_caption(chart: dict, content: dict) -> str:
    head = f"<b>{_esc(chart['indicator_id'])}</b>" + (f" · {_esc(chart['subgroup'])}" if chart["subgroup"] else "")
    if chart["pooled"]:
        head += f" · ensemble des {_esc(_scope_word(chart['pooled']))} (Σ num. / Σ dén.)"
    last = {p[0]: p for p in chart["points"]}.get(content["semester_end"])
    at_end = ""
    if last:
        target = (", " + " ".join(x for x in ("cible", fr_comparison(chart["comparison"]),
                                               fr_target(last[2], chart["unit"])) if x)
                  if last[2] is not None else ", sans cible")
        at_end = f"<br/>Au {fr_date(content['semester_end'])} : {fr_value(last[1], chart['unit'], last[4], last[5])}{target}"
    return f"{head} — {_esc(chart['label'])}{at_end}"


def _charts_section(content: dict, st: dict) -> list:
    from reportlab.platypus import Paragraph, Table
    story = [Paragraph("2. Évolution trimestrielle des indicateurs", st["h1"]),
             Paragraph(f"Valeur régionale à chaque date de mesure jusqu'au {fr_date(content['semester_end'])} "
                       "(trait plein), cible en vigueur (tirets), trimestres du semestre (fond gris).", st["note"])]
    if not content["charts"]:
        return story + [Paragraph("Aucune série à représenter.", st["body"])]
    w = (BODY_WIDTH - 4 * MM) / 2
    dates = [d for d in content["measure_dates"]]
    cells = [[Paragraph(_chart_caption(c, content), st["chart_title"]),
              _chart_drawing(c, dates, content["quarters"], w - 4, 132)] for c in content["charts"]]
    rows = [cells[i:i + 2] + ([""] if i + 1 == len(cells) else []) for i in range(0, len(cells), 2)]
    story.append(Table(rows, colWidths=[w + 2 * MM] * 2, style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2 * MM), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return story


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and stringWidth(candidate, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + ([line] if line else [])


def _name_lines(finess: str, name: str | None, n_rows: int, width: float) -> list[str]:
    """The structure column of a block: FINESS on the first row, the name wrapped over the next rows."""
    if n_rows == 1:
        return [f"{finess} {name or ''}".strip()]
    lines = _wrap(name or "", width, "Helvetica", TABLE_FONT)
    if len(lines) > n_rows - 1:
        lines = lines[:n_rows - 1]
        lines[-1] = lines[-1][: max(len(lines[-1]) - 1, 1)] + "…"
    return [finess] + lines + [""] * (n_rows - 1 - len(lines))


def _figure_cells(f: dict | None, unit: str | None) -> list[str]:
    if not f:
        return ["—", "—", "—", "—", "—", "absent"]
    n, d = f["numerator"], f["denominator"]
    return [fr_int(n), fr_int(d), fr_value(f["value"], unit, n, d), fr_target(f["target"], unit),
            fr_met(f["target_met"]), STATUS_FR.get(f["status"], f["status"] or "—")]


def _structure_rows(block: dict, quarters: list[date], name_width: float) -> list[list[list[str]]]:
    """One list of table rows per structure: FINESS and name down the first column, one row per indicator."""
    q = [d.isoformat() for d in quarters]
    indicators = block["indicators"]
    out = []
    for item in block["items"]:
        names = _name_lines(item["finess"], item["name"], len(indicators), name_width)
        rows = []
        for i, ind in enumerate(indicators):
            f = item["figures"].get(ind["key"], {})
            rows.append([names[i], ind["key"]] + _figure_cells(f.get(q[0]), ind["unit"])
                        + _figure_cells(f.get(q[1]), ind["unit"]))
        out.append(rows)
    return out


def _pages(blocks: list[list], first_capacity: int, capacity: int) -> list[list[list]]:
    """Greedy pagination of whole structures: each page gets as many blocks as fit in its rows (pure)."""
    pages, page, used, cap = [], [], 0, first_capacity
    for b in blocks:
        if page and used + len(b) > cap:
            pages.append(page)
            page, used, cap = [], 0, capacity
        page.append(b)
        used += len(b)
    return pages + ([page] if page else [])


def _structure_tables(block: dict, quarters: list[date], first_height: float) -> list:
    """The per-structure table, cut by page here (whole structures, fixed row heights), each page with its
    own header: reportlab's own splitting of one 7,500-row table is quadratic (~30 s for a region)."""
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import KeepTogether, Table
    per_q = [9 * MM, 9 * MM, 10.5 * MM, 8.5 * MM, 10 * MM, 14.5 * MM]
    indicator_width = max([16 * MM] + [stringWidth(i["key"], "Helvetica", TABLE_FONT) + 5
                                       for i in block["indicators"]])
    first = [BODY_WIDTH - 2 * sum(per_q) - indicator_width, indicator_width]
    head0 = ["Structure", "Indicateur"]
    for d in quarters:
        head0 += [f"{quarter_label(d)} — mesure au {fr_date(d)}"] + [""] * 5
    head1 = ["FINESS, nom", ""] + ["Num.", "Dén.", "Valeur", "Cible", "Atteinte", "Statut"] * 2
    header_height = 2 * (TABLE_ROW + 1)

    def capacity(height: float) -> int:
        return max(int((height - header_height - 4) // TABLE_ROW), 1)

    blocks = _structure_rows(block, quarters, first[0] - 4)
    tables = []
    for page in _pages(blocks, capacity(first_height), capacity(FRAME_HEIGHT)):
        rows, style = [head0, head1], _table_style([
            ("SPAN", (2, 0), (7, 0)), ("SPAN", (8, 0), (13, 0)), ("ALIGN", (2, 0), (-1, 0), "CENTER"),
            ("ALIGN", (2, 1), (5, -1), "RIGHT"), ("ALIGN", (8, 1), (11, -1), "RIGHT"),
            ("LINEAFTER", (7, 0), (7, -1), 0.8, colors.Color(0.5, 0.5, 0.5)),
            ("TOPPADDING", (0, 0), (-1, -1), 0.8), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.8),
        ], header_rows=2, font_size=TABLE_FONT)
        for b in page:
            style += [("LINEABOVE", (0, len(rows)), (-1, len(rows)), 0.8, colors.Color(0.45, 0.45, 0.45)),
                      ("FONT", (0, len(rows)), (0, len(rows)), "Helvetica-Bold", TABLE_FONT)]
            rows += b
        heights = [TABLE_ROW + 1] * 2 + [TABLE_ROW] * (len(rows) - 2)
        tables.append(KeepTogether([Table(rows, colWidths=first + per_q * 2, rowHeights=heights, repeatRows=2,
                                          style=style)]))
    return tables


def _height(flowables: list) -> float:
    total = 0.0
    for f in flowables:
        total += f.wrap(BODY_WIDTH, FRAME_HEIGHT)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def _structures_section(content: dict, st: dict) -> list:
    from reportlab.platypus import PageBreak, Paragraph
    story = []
    for n, block in enumerate(content["structures"], start=1):
        title = SCOPE_TITLES.get(block["scope_type"], block["scope_type"])
        head = [Paragraph(f"3.{n}. Résultats par structure — {_esc(title)}", st["h1"]),
                Paragraph(f"{len(block['items'])} structure(s), {len(block['indicators'])} indicateur(s), "
                          f"aux deux dates de mesure du semestre. « absent » : aucune ligne publiée pour cette "
                          "structure à cette date ; « — » : sans valeur ou sans cible.", st["note"])]
        story += [PageBreak()] + head + _structure_tables(block, content["quarters"], FRAME_HEIGHT - _height(head))
    if not story:
        story = [PageBreak(), Paragraph("3. Résultats par structure", st["h1"]),
                 Paragraph("Aucun résultat par structure pour ce semestre.", st["body"])]
    return story


def _declaratives_section(content: dict, st: dict) -> list:
    from reportlab.platypus import PageBreak, Paragraph, Table
    story = [PageBreak(), Paragraph("4. Indicateurs déclaratifs", st["h1"]),
             Paragraph("Déclarations de l'ARS (O/N) aux dates de mesure du semestre, avec la pièce justificative "
                       "référencée et sa date.", st["note"])]
    if not content["declaratives"]:
        return story + [Paragraph("Aucun indicateur déclaratif publié pour ce semestre.", st["body"])]
    rows = [["Indic.", "Libellé", "Mesure au", "Déclaré", "Statut", "Pièce justificative", "Date pièce"]]
    for d in content["declaratives"]:
        rows.append([d["indicator_id"], Paragraph(_esc(d["label"]), st["cell"]), fr_date(d["measure_date"]),
                     {True: "oui (O)", False: "non (N)"}.get(d["target_met"], "—"),
                     STATUS_FR.get(d["status"], d["status"] or "—"),
                     Paragraph(_esc(d["evidence_reference"] or "—"), st["cell"]), fr_date(d["evidence_date"])])
    widths = [10 * MM, 50 * MM, 15 * MM, 13 * MM, 16 * MM, 0, 15 * MM]
    widths[5] = BODY_WIDTH - sum(widths)
    return story + [Table(rows, colWidths=widths, repeatRows=1, style=_table_style())]


def _quality_section(content: dict, st: dict) -> list:
    from reportlab.platypus import Paragraph, Table
    story = [Paragraph("5. Qualité des données", st["h1"])]
    q = content["quality"]
    if q is None:
        story.append(Paragraph("Résumé de la qualité non fourni avec cette publication.", st["body"]))
    else:
        counts = [("Fichiers ingérés", q["files_ingested"]), ("Fichiers refusés", q["files_refused"]),
                  ("Lignes chargées", q["rows_loaded"]), ("Lignes en quarantaine (rejetées)", q["rows_quarantined"]),
                  ("Valeurs signalées (chargées, marquées invalides)", q["values_flagged"])]
        story.append(Table([[label, fr_int(v) if v is not None else "non renseigné"] for label, v in counts],
                           colWidths=[80 * MM, 30 * MM], hAlign="LEFT",
                           style=_table_style([("ALIGN", (1, 0), (1, -1), "RIGHT"),
                                               ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
                                               ("BACKGROUND", (0, 0), (-1, -1), None)])))
        story.append(Paragraph(f"Avertissements du contrôle qualité ({len(q['warnings'])})", st["h2"]))
        if q["warnings"]:
            rows = [["Contrôle", "Table", "Ce que cela signifie", "Observé"]] + [
                [Paragraph(_esc(w["id"]), st["cell"]), Paragraph(_esc(w["table"]), st["cell"]),
                 Paragraph(_esc(w["means"]), st["cell"]), Paragraph(_esc(w["observed"]), st["cell"])]
                for w in q["warnings"]]
            story.append(Table(rows, colWidths=[40 * MM, 30 * MM, 76 * MM, BODY_WIDTH - 146 * MM], repeatRows=1,
                               style=_table_style()))
        else:
            story.append(Paragraph("Aucun avertissement.", st["body"]))
        story.append(Paragraph(f"Dérogations au contrôle qualité ({len(q['overrides'])})", st["h2"]))
        if q["overrides"]:
            rows = [["Contrôle", "Motif", "Par", "Le"]] + [
                [Paragraph(_esc(o["id"]), st["cell"]), Paragraph(_esc(o["reason"]), st["cell"]),
                 Paragraph(_esc(o["by"]), st["cell"]), Paragraph(_esc(o["at"]), st["cell"])]
                for o in q["overrides"]]
            story.append(Table(rows, colWidths=[40 * MM, 86 * MM, 30 * MM, BODY_WIDTH - 156 * MM], repeatRows=1,
                               style=_table_style()))
        else:
            story.append(Paragraph("Aucune dérogation.", st["body"]))
    story.append(Paragraph(f"Quarantaine des livraisons en vigueur ({len(content['quarantine'])} règle(s))", st["h2"]))
    if content["quarantine"]:
        rows = [["Table", "Règle", "Sévérité", "Fichiers", "Lignes", "Exemple"]] + [
            [r["table_name"], r["rule"], r["severity"], fr_int(r["files"]), fr_int(r["n_rows"]),
             Paragraph(_esc(r["example_reason"]), st["cell"])] for r in content["quarantine"]]
        story.append(Table(rows, colWidths=[30 * MM, 26 * MM, 18 * MM, 13 * MM, 13 * MM, BODY_WIDTH - 100 * MM],
                           repeatRows=1, style=_table_style([("ALIGN", (3, 1), (4, -1), "RIGHT")])))
    else:
        story.append(Paragraph("Aucune ligne en quarantaine.", st["body"]))
    return story


def _title_page(content: dict, published_at, digest: str, st: dict) -> list:
    from reportlab.platypus import Paragraph, Spacer, Table
    end, (q1, q2) = content["semester_end"], content["quarters"]
    counts = ", ".join(f"{len(b['items'])} {_scope_word(b['scope_type'])}" for b in content["structures"])
    mono = [("FONT", (1, 5), (1, 6), "Courier", 7.5)]
    rows = [
        ["Région", _region_text(content)],
        ["Semestre", f"{semester_title(end)} ({semester_code(end)}), arrêté au {fr_date(end)}"],
        ["Dates de mesure couvertes", f"{fr_date(q1)} ({quarter_label(q1)}) et {fr_date(q2)} ({quarter_label(q2)})"],
        ["Date de publication", fr_published_at(published_at)],
        ["Version du code", content["code_version"] or "non renseignée"],
        ["SHA-256 des résultats publiés\n(indicator_results.csv)", content["results_sha256"] or "non renseigné"],
        ["Empreinte du contenu du rapport\n(SHA-256)", digest],
        ["Structures rapportées", counts or "aucune"],
    ]
    table = Table(rows, colWidths=[55 * MM, BODY_WIDTH - 55 * MM], style=_table_style(
        [("FONT", (0, 0), (0, -1), "Helvetica-Bold", 8.5), ("FONT", (1, 0), (1, -1), "Helvetica", 8.5),
         ("BACKGROUND", (0, 0), (-1, -1), None), ("TOPPADDING", (0, 0), (-1, -1), 4),
         ("BOTTOMPADDING", (0, 0), (-1, -1), 4)] + mono))
    return [Spacer(1, 30 * MM),
            Paragraph("Rapport semestriel des indicateurs d'usage", st["title"]),
            Paragraph("Programmes E-parcours (DAC, CPTS) et ESMS Numérique — transmission semestrielle au "
                      "ministère", st["subtitle"]),
            table, Spacer(1, 8 * MM),
            Paragraph("Contenu : 1. synthèse régionale à la fin du semestre et cibles en vigueur avec leur source ; "
                      "2. évolution trimestrielle de chaque indicateur ; 3. résultats par structure (DAC, CPTS, "
                      "ESMS) aux deux dates de mesure du semestre ; 4. indicateurs déclaratifs et pièces "
                      "justificatives ; 5. qualité des données.", st["body"]),
            Spacer(1, 3 * MM),
            Paragraph("Format des nombres : virgule décimale, espace pour les milliers (85,7 % ; 1 234). Les "
                      "valeurs proviennent de la publication de l'entrepôt (fichier DuckDB des analystes, schéma "
                      "publish) ; l'empreinte du contenu change dès qu'un chiffre, une cible, une déclaration ou le "
                      "résumé qualité de ce rapport change.", st["note"])]


def _canvas_class(footer_left: str):
    """A canvas that knows the page count when it saves: « page n / N » on every page."""
    from reportlab.lib import colors
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont("Helvetica", 7)
                self.setFillColor(colors.Color(0.35, 0.35, 0.35))
                self.drawString(PAGE_MARGIN, 7 * MM, footer_left)
                self.drawRightString(210 * MM - PAGE_MARGIN, 7 * MM, f"page {number} / {total}")
                super().showPage()
            super().save()

    return NumberedCanvas


def _render(content: dict, published_at, digest: str, path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate
    st = _styles()
    end = content["semester_end"]
    region = _region_text(content)
    story = (_title_page(content, published_at, digest, st) + [PageBreak()] + _summary_section(content, st)
             + [PageBreak()] + _charts_section(content, st) + _structures_section(content, st)
             + _declaratives_section(content, st) + _quality_section(content, st))
    doc = BaseDocTemplate(
        str(path), pagesize=A4, leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN, topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN, title=f"Rapport semestriel {region} {semester_code(end)}",
        author="eparcours-warehouse", subject=f"Empreinte du contenu (SHA-256) {digest}",
        keywords=[f"content-sha256:{digest}", f"semester:{semester_code(end)}"], invariant=1, pageCompression=1,
        lang="fr-FR")
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story, canvasmaker=_canvas_class(
        f"Rapport semestriel — région {region} — {semester_title(end)} ({semester_code(end)})"))
