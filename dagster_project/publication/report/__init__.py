"""The semestrial report: one PDF per region and semester (30/06, 31/12), for the ministry (DGOS).

Why: the guide E-parcours asks every usage indicator to be reported each semester (« Fréquence :
Semestrielle »), per structure, with the target in force and the document it comes from.

The report lays out what the analysts' DuckDB file says (schema ``publish``, opened read-only): a title page
(region, semester, the two measure dates covered, publication date, code version, SHA-256 of the published
results); the regional summary at the semester end with the tier in force and its quotation; one chart per
indicator; the per-structure tables (every DAC, CPTS and ESMS, both quarters of the semester); the declaratives
with their evidence; the data-quality summary. Every page has « page n / N » with the region and the semester.

Two steps: ``content.load_content`` reads publish.* into a plain, JSON-serialisable model of everything shown
(the French texts as the dbt models wrote them; no publication date), ``layout.render`` lays it out in
reportlab's invariant mode (same inputs, same bytes, apart from the publication date on the title page).
``semester_digest`` is the SHA-256 of that model, so it changes exactly when something the report shows
changes, and the publication can keep an unchanged report. See docs/semester_report.md.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

from ...calendar import semester_code
from .content import LAYOUT_VERSION, load_content, semesters

__all__ = ["LAYOUT_VERSION", "load_content", "report_name", "semester_digest", "semesters",
           "write_semester_report"]


def report_name(region_code: str, semester_end: date) -> str:
    return f"rapport_semestriel_{region_code}_{semester_code(semester_end)}.pdf"


def _canonical(content: dict) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=lambda v: v.isoformat() if isinstance(v, (date, datetime)) else str(v)).encode()


def semester_digest(db: Path, semester_end: date, info: dict) -> str:
    """SHA-256 of everything the report of that semester shows (not the publication date)."""
    return hashlib.sha256(_canonical(load_content(db, semester_end, info))).hexdigest()


def write_semester_report(db: Path, out_dir: Path, semester_end: date, info: dict) -> Path:
    """Write ``out_dir/rapport_semestriel_<region>_<YYYY>-S<n>.pdf`` (atomically) and return its path."""
    from .layout import render

    content = load_content(db, semester_end, info)
    digest = hashlib.sha256(_canonical(content)).hexdigest()
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / report_name(content["region_code"] or "region", semester_end)
    tmp = out.with_name(".tmp-" + out.name)
    try:
        render(content, info.get("published_at"), digest, tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
