"""The quarterly dashboard: a static HTML site rendered from the analysts' DuckDB file (schema ``publish``).

Indicator 6.6 of the E-parcours guide asks for « un tableau de bord trimestriel de suivi de ses indicateurs et
de son activité ». This package writes it, for the people who read it the morning after the publication (an
ARS programme lead, a DAC director, a CPTS or ESMS manager):

- ``index.html``: the region, every DAC, CPTS and ESMS with its last-quarter headline (targets met) and a search
  box (``assets/dashboard.js``; without JS the full list is there);
- ``region.html``: the region's indicators at the last quarter, how many structures of each type reach each
  target, a trend chart and its table per indicator, the declaratives with their evidence, the data quality;
- ``structures/<scope_type>-<finess>.html``: a structure's indicators over the quarters, its rank among the
  structures of its type and what it would take to reach the target. An indicator without any value over the
  published quarters (a CPTS that does not use the dossier service: EP-INS 0 / 0 every quarter) gets one line
  under « Sans donnée sur la période », no chart; a structure with no value at all gets an explanation.

It only renders. Every figure and its French text (value, ratio, target, attainment, status, rank, gap, labels
of subgroups, scopes, rules, severities, reference documents) is a column of the dbt models of schema
``publish`` (``reader.py``, one query per table); the pages print them as they are. What the pages write
themselves are counts (« 3 sur 5 », the number of structures per attainment label), dates and the publication
time, through ``publication/fr.py``, and quarter headings through ``calendar.py``. The charts are Jinja2 templates
fed with coordinates by ``chart.geometry``.

Data quality (``info["quality"]``): the counts of the run, one French line per warning and per override of the
quality gate; the gate's own texts (``means``, ``observed``, the check id) are English and technical, so they are
shown only inside a ``<details>`` « Détail technique (en anglais) » under each warning. The quarantine table
shows the rule and treatment labels (``rule_label``, ``severity_label``); the example reasons, English, are left
out (``quarantine_report.csv`` carries every line's reason).

Static HTML5 (``templates/``, autoescaped), one stylesheet and one script (``assets/``), every link relative:
the folder opens from ``file://`` with no network and prints cleanly. See docs/dashboard.md.
"""
from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ... import calendar
from .. import fr
from . import chart
from .reader import STRUCTURE_TYPES, Publication, read_publication, series

HERE = Path(__file__).parent
ASSETS = HERE / "assets"
DASH = fr.DASH
SCOPE_TITLES = {"dac": "DAC", "cpts": "CPTS", "esms": "ESMS"}  # replaced by the published scope_label when known


# --------------------------------------------------------------------------------------------------------------
# Template environment
# --------------------------------------------------------------------------------------------------------------

def dash(value) -> str:
    return DASH if value is None or value == "" else value


def count(value) -> str:
    """A count of ``info`` (files, rows) in French; anything else as text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return dash(as_text(value) if value is not None else None)
    return fr.number(value)


def attainment_class(row: dict) -> str:
    """The CSS class of an attainment cell (the words say it too: colour is never the only cue)."""
    if row.get("target_met") is True:
        return "met"
    if row.get("target_met") is False:
        return "notmet"
    return "notarget" if row.get("target") is None else "noeval"


@lru_cache(maxsize=4096)
def number(n) -> str:
    """fr.number, cached: the axis ticks of thousands of charts are the same few round numbers."""
    return fr.number(n)


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True, undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters.update(number=number, day=fr.day, published_at=fr.published_at, dash=dash, count=count,
                       attainment_class=attainment_class)
    return env


# --------------------------------------------------------------------------------------------------------------
# Small helpers (text only)
# --------------------------------------------------------------------------------------------------------------

def as_text(value) -> str:
    """A value of ``info`` as text: scalars as they are, anything else (an observed sample) as JSON."""
    if value is None or value == "":
        return DASH
    if isinstance(value, (str, int, float, bool)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def search_key(*parts) -> str:
    """What the search box matches: lower case, accents removed (the JS normalises the query the same way)."""
    text = " ".join(str(p) for p in parts if p)
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def anchor(indicator_id: str, subgroup) -> str:
    return "ind-" + re.sub(r"[^A-Za-z0-9]+", "-", f"{indicator_id}-{subgroup or ''}").strip("-").lower()


def structure_href(scope_type: str, finess: str) -> str:
    return f"structures/{scope_type}-{finess}.html"


def heading(row: dict) -> str:
    """« EP-3.2 — Sanitaire : HAD et USLD »."""
    return row["indicator_id"] + (f" — {row['subgroup_label']}" if row.get("subgroup_label") else "")


# --------------------------------------------------------------------------------------------------------------
# Page contexts
# --------------------------------------------------------------------------------------------------------------

class Site:
    def __init__(self, pub: Publication, info: dict):
        self.pub, self.info = pub, info
        self.quarters = [calendar.quarter_label(d) for d in pub.measure_dates]
        self.last_quarter = self.quarters[-1] if self.quarters else DASH
        self.first_quarter = self.quarters[0] if self.quarters else DASH
        code = info.get("region_code") or next((r["scope_id"] for r in pub.rows if r["scope_type"] == "region"),
                                               None)
        self.region = {"name": info.get("region_name") or DASH, "code": code or DASH}

    def common(self, title: str, root: str, crumbs: list, script: bool = False) -> dict:
        return {"title": title, "root": root, "crumbs": crumbs, "script": script,
                "info": {"published_at": self.info.get("published_at"), "code_version": self.info.get("code_version"),
                         # relative link to the data dictionary of the publication (published/docs/), when there is one
                         "dictionary": self.info.get("dictionary")},
                "region": self.region, "last": self.pub.last, "last_quarter": self.last_quarter,
                "first_quarter": self.first_quarter, "quarters": self.quarters}

    def series_blocks(self, rows: list[dict], who: str) -> tuple[list, list, list]:
        """For the computed indicators of ``rows``: the summary lines at the last quarter, one block (chart and
        table) per series with a value at some quarter, one line per series without any."""
        pub = self.pub
        by_key = series([r for r in rows if pub.computed(r)])
        summary, blocks, no_data = [], [], []
        for key in pub.ordered(by_key):
            by_date = by_key[key]
            ind = pub.indicators[key[0]]
            dated = [by_date[d] for d in pub.measure_dates if d in by_date]
            last_row = dated[-1]
            if all(r["value"] is None for r in dated):
                no_data.append({"heading": heading(last_row), "label": last_row["label"], "row": last_row})
                continue
            if pub.last in by_date:
                summary.append({"row": by_date[pub.last], "anchor": anchor(*key)})
            points = [chart.Point(quarter=calendar.quarter_label(d), year=d.year,
                                  value=(by_date.get(d) or {}).get("value"),
                                  target=(by_date.get(d) or {}).get("target"),
                                  provisional=(by_date.get(d) or {}).get("status") == "provisional",
                                  value_text=(by_date.get(d) or {}).get("value_text"))
                      for d in pub.measure_dates]
            unit = last_row["unit"]
            blocks.append({
                "anchor": anchor(*key), "heading": heading(last_row), "label": last_row["label"],
                "chart_id": f"chart-{len(blocks)}", "geometry": chart.geometry(points, unit == "%"),
                "chart_title": f"{heading(last_row)} ({who}) : {last_row['label']}, évolution trimestrielle et "
                               "cible en vigueur",
                "unit_label": "%" if unit == "%" else (unit or "valeur"),
                "numerator_label": ind.numerator_label, "rows": dated,
                # a result measured over more than its quarter (ESMS-MSS, ESMS-DMP windows) shows its period
                "longer": any(r["period_start"] is not None
                              and r["period_start"] != calendar.quarter_start(r["measure_date"]) for r in dated),
            })
        return summary, blocks, no_data

    def index(self, by_scope: dict) -> dict:
        pub = self.pub
        sections = []
        for scope_type in STRUCTURE_TYPES:
            items = []
            for (t, finess), s in pub.structures.items():
                if t != scope_type:
                    continue
                name = s["name"] or finess
                items.append({"name": name, "finess": finess, "href": structure_href(t, finess),
                              "search": search_key(name, finess),
                              "category": s["libcategetab"] or s["scope_label"] or SCOPE_TITLES[t],
                              "departement": s["departement"],
                              "headline": self.headline(by_scope.get((t, finess), []))})
            items.sort(key=lambda i: (search_key(i["name"]), i["finess"]))
            title = next((s["scope_label"] for (t, _), s in pub.structures.items() if t == scope_type
                          and s["scope_label"]), SCOPE_TITLES[scope_type])
            sections.append({"scope_type": scope_type, "title": title, "structures": items})
        last_text = f"{self.last_quarter} (mesure au {fr.day(pub.last)})" if pub.last else DASH
        return {**self.common(f"Tableau de bord — Région {self.region['name']}", "", [("Accueil", "")],
                              script=True),
                "sections": sections, "last_text": last_text}

    def headline(self, rows: list[dict]) -> str:
        """What the index shows for a structure: how many of its targets in force are met at the last quarter."""
        last = [r for r in rows if r["measure_date"] == self.pub.last and self.pub.computed(r)]
        if not last:
            return f"pas de résultat au {self.last_quarter}"
        with_target = [r for r in last if r["target"] is not None]
        if not with_target:
            return "aucune cible en vigueur"
        met = sum(1 for r in with_target if r["target_met"] is True)
        return f"cibles atteintes : {fr.number(met)} sur {fr.number(len(with_target))}"

    def region_page(self) -> dict:
        pub = self.pub
        region_rows = [r for r in pub.rows if r["scope_type"] == "region"]
        summary, blocks, no_data = self.series_blocks(region_rows, f"région {self.region['name']}")
        declaratives = []
        decl = series([r for r in region_rows if pub.declarative(r)])
        for key in pub.ordered(decl):
            ind = pub.indicators[key[0]]
            declaratives.append({"id": ind.id, "label": ind.label, "last": decl[key].get(pub.last),
                                 "history": [decl[key].get(d) for d in pub.measure_dates]})
        return {**self.common(f"Région {self.region['name']} — indicateurs au {self.last_quarter}", "",
                              [("Accueil", "index.html"), ("Région", "")]),
                "summary": summary, "blocks": blocks, "no_data": no_data, "declaratives": declaratives,
                "attainment": self.attainment(), "quality": self.quality(), "quarantine": pub.quarantine}

    def attainment(self) -> dict:
        """publish.indicator_results counted by attainment label (reader.ATTAINMENT_COUNTS), one line per
        indicator, subgroup and structure type, one column per label."""
        pub = self.pub
        labels, lines = [], {}
        for a in pub.attainment:  # ordered by label_order
            if a["attainment_label"] not in labels:
                labels.append(a["attainment_label"])
            key = (a["indicator_id"], a["subgroup"], a["scope_type"])
            line = lines.setdefault(key, {
                "heading": a["indicator_id"] + (f" — {a['subgroup_label']}" if a["subgroup_label"] else ""),
                "label": pub.indicators[a["indicator_id"]].label, "scope_label": a["scope_label"],
                "total": a["n_of_type"], "counts": {}})
            line["counts"][a["attainment_label"]] = a["n_structures"]
        order = sorted(lines, key=lambda k: (pub.indicators[k[0]].sort_key(), k[1] or "",
                                             STRUCTURE_TYPES.index(k[2]) if k[2] in STRUCTURE_TYPES else 9))
        return {"labels": labels, "lines": [lines[k] for k in order]}

    def quality(self) -> dict:
        q = self.info.get("quality") or {}
        facts = [("Fichiers ingérés", q.get("files_ingested")), ("Fichiers refusés", q.get("files_refused")),
                 ("Lignes chargées", q.get("rows_loaded")), ("Lignes en quarantaine", q.get("rows_quarantined")),
                 ("Valeurs signalées (chargées, marquées invalides)", q.get("values_flagged"))]
        warnings = [{k: as_text(w.get(k)) for k in ("id", "table", "means", "observed")}
                    for w in q.get("warnings") or [] if isinstance(w, dict)]
        overrides = [{k: as_text(o.get(k)) for k in ("id", "reason", "by", "at")}
                     for o in q.get("overrides") or [] if isinstance(o, dict)]
        return {"facts": facts, "warnings": warnings, "overrides": overrides}

    def structure_page(self, key: tuple, rows: list[dict], region_last: dict) -> dict:
        scope_type, finess = key
        s = self.pub.structures[key]
        name = s["name"] or finess
        scope_label = s["scope_label"] or SCOPE_TITLES[scope_type]
        summary, blocks, no_data = self.series_blocks(rows, name)
        for line in summary:
            line["region"] = region_last.get((line["row"]["indicator_id"], line["row"]["subgroup"]))
        facts = [("FINESS", finess), ("Type", scope_label), ("Catégorie FINESS", s["libcategetab"]),
                 ("Département", s["departement"]), ("Projet GALIS", s["galis_ref"]),
                 ("Dernière extraction où elle figure", fr.day(s["last_seen"]) if s["last_seen"] else None)]
        return {**self.common(f"{name} ({scope_label} {finess}) — indicateurs au {self.last_quarter}", "../",
                              [("Accueil", "../index.html"), ("Région", "../region.html"), (name, "")]),
                "name": name, "s": {**s, "scope_label": scope_label}, "facts": facts, "has_rows": bool(rows),
                "summary": summary, "blocks": blocks, "no_data": no_data,
                "with_region": any(line["region"] for line in summary)}


# --------------------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------------------

def write_dashboard(db: Path, out_dir: Path, info: dict) -> list[Path]:
    """Write the dashboard of the analysts' file ``db`` (read only) into ``out_dir``; return the files written."""
    info = info or {}
    pub = read_publication(Path(db))
    site = Site(pub, info)
    env = environment()
    out_dir = Path(out_dir)
    (out_dir / "structures").mkdir(parents=True, exist_ok=True)
    written = []

    def write(rel: str, template: str, context: dict) -> None:
        path = out_dir / rel
        path.write_text(env.get_template(template).render(context), encoding="utf-8")
        written.append(path)

    for asset in ("dashboard.css", "dashboard.js"):
        shutil.copyfile(ASSETS / asset, out_dir / asset)
        written.append(out_dir / asset)
    by_scope: dict[tuple, list[dict]] = defaultdict(list)
    for r in pub.rows:
        if r["scope_type"] in STRUCTURE_TYPES:
            by_scope[(r["scope_type"], r["scope_id"])].append(r)
    write("index.html", "index.html", site.index(by_scope))
    write("region.html", "region.html", site.region_page())
    region_last = {(r["indicator_id"], r["subgroup"]): r for r in pub.rows
                   if r["scope_type"] == "region" and r["measure_date"] == pub.last}
    for key in sorted(pub.structures):
        write(structure_href(*key), "structure.html", site.structure_page(key, by_scope.get(key, []), region_last))
    return written


__all__ = ["write_dashboard"]
