"""The quarterly dashboard: a static HTML site written from the analysts' DuckDB file (schema ``publish``).

Indicator 6.6 of the E-parcours guide asks for « un tableau de bord trimestriel de suivi de ses indicateurs et
de son activité ». This module writes it, for the people who read it the morning after the publication (an
ARS programme lead, a DAC director, a CPTS or ESMS manager):

- ``index.html``: the region, the publication date, every DAC, CPTS and ESMS with its last-quarter headline
  (targets met) and a search box (a few lines of vanilla JS; without JS the full list is there);
- ``region.html``: every computed indicator of the region at the last measure date against the target in
  force, a trend chart per indicator (target as a dashed step line) with its numbers as a table, how many
  structures meet each target, the declaratives with their evidence, and the data-quality summary of the run;
- ``structures/<scope_type>-<finess>.html``: one page per structure: its indicators over the quarters
  (numerator and denominator beside each rate), its rank among the region's structures of the same type at
  the last quarter, and what it would take to reach the target.

Static HTML5 pages, one shared stylesheet and one small script (``dashboard_assets/``), charts drawn here as
inline SVG, every link relative: the folder opens from ``file://`` with no network and prints cleanly.

The module only presents what the publication computed: values, targets in force, ``target_met`` and statuses
come from ``publish.indicator_results``; the comparison (``gte``/``lte``) from ``publish.indicator_targets``;
units, labels and numerator nouns from ``publish.indicator_catalogue``. The only arithmetic done here is the
rank of a structure among its peers and the gap to the target (both defined in docs/dashboard.md).
"""
from __future__ import annotations

import html
import json
import math
import re
import shutil
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import duckdb

from ..settings import duckdb_config

ASSETS = Path(__file__).with_name("dashboard_assets")
DASH = "—"
NBSP = "\u00a0"  # between a number and its unit (85,7 %)
THIN = "\u202f"  # French thousands separator (1 234,5)

SCOPE_LABELS = {"region": "Région", "dac": "DAC", "cpts": "CPTS", "esms": "ESMS"}
STRUCTURE_TYPES = ("dac", "cpts", "esms")
STATUS_LABELS = {"final": "définitif", "provisional": "provisoire", "no_data": "pas de données"}
# Display names of the EP-3.2 subgroups (codes of seeds/ref_indicator_targets.csv); unknown codes are shown as is.
SUBGROUP_LABELS = {"SAN_MCO_SSR_PSY": "Sanitaire : MCO, SSR, PSY", "SAN_HAD_USLD": "Sanitaire : HAD, USLD",
                   "MEDICO_SOCIAL": "Médico-social", "VILLE": "Offre de ville"}
FALLBACK_NUMERATOR_LABEL = "unités au numérateur"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


# --------------------------------------------------------------------------------------------------------------
# Formatting (pure)
# --------------------------------------------------------------------------------------------------------------

def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def plain(value) -> str:
    """A value of ``info`` as text: scalars as they are, anything else (an observed sample) as JSON."""
    if value is None or value == "":
        return DASH
    if isinstance(value, (str, int, float, bool)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def is_missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_number(x, decimals: int = 0) -> str:
    """French number format: ``1234.5`` → ``1 234,5`` (narrow no-break space between thousands)."""
    if is_missing(x):
        return DASH
    text = f"{x:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text.replace(",", THIN).replace(".", ",")


def fmt_trim(x) -> str:
    """A target or threshold: no useless decimals (``60`` → ``60``, ``33.3`` → ``33,3``)."""
    if is_missing(x):
        return DASH
    return fmt_number(x, 0) if float(x).is_integer() else fmt_number(x, 2).rstrip("0").rstrip(",")


def unit_suffix(x, unit: str) -> str:
    if unit == "%":
        return f"{NBSP}%"
    if unit == "jours":
        return f"{NBSP}jour" if abs(float(x)) < 2 else f"{NBSP}jours"
    return f"{NBSP}{unit}" if unit else ""


def fmt_value(x, unit: str) -> str:
    """A published value in its unit: ``85,7 %`` (one decimal), ``274 jours``."""
    if is_missing(x):
        return DASH
    return fmt_number(x, 1 if unit == "%" else 0) + unit_suffix(x, unit)


@lru_cache(maxsize=4096)
def fmt_target(target, unit: str, comparison: str) -> str:
    if is_missing(target):
        return "sans cible"
    sign = "≤" if comparison == "lte" else "≥"
    return f"{sign}{NBSP}{fmt_trim(target)}{unit_suffix(target, unit)}"


def fmt_date(d) -> str:
    return d.strftime("%d/%m/%Y") if isinstance(d, date) else DASH


def fmt_published_at(value) -> str:
    """ISO timestamp of the publication → « 3 décembre 2026 à 08:21 UTC » (a bare date → « 3 décembre 2026 »);
    text that is not ISO is shown as is."""
    if not value:
        return DASH
    text = str(value).strip()
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        return text
    day = f"{ts.day} {MONTHS[ts.month - 1]} {ts.year}"
    if len(text) <= 10:
        return day
    offset = ts.utcoffset()
    zone = "" if offset is None else (" UTC" if not offset else ts.strftime(" UTC%z"))
    return f"{day} à {ts:%H:%M}{zone}"


def quarter_label(d: date) -> str:
    """The quarter ending at (or containing) ``d``: ``2024-12-31`` → ``T4 2024``."""
    return f"T{(d.month - 1) // 3 + 1} {d.year}"


def ordinal(n: int) -> str:
    return "1er" if n == 1 else f"{n}e"


def search_key(*parts) -> str:
    """What the search box matches: lower case, accents removed (the JS normalises the query the same way)."""
    text = " ".join(str(p) for p in parts if p)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def natural_key(text: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text or ""))


# --------------------------------------------------------------------------------------------------------------
# Rank and gap to the target (pure)
# --------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rank:
    rank: int      # competition rank: ties share the rank, the next one skips (1, 2, 2, 4)
    of: int        # structures ranked (same type, same indicator and subgroup, value not null)
    tied: bool


def competition_ranks(values: dict, comparison: str = "gte") -> dict:
    """Rank of each key by value, best first (highest for ``gte`` and no target, lowest for ``lte``); ties
    share the rank; keys whose value is missing (no_data) are not ranked (absent from the answer)."""
    scored = {k: float(v) for k, v in values.items() if not is_missing(v)}
    ordered = sorted(scored.values(), reverse=comparison != "lte")
    first_position, counts = {}, defaultdict(int)
    for i, v in enumerate(ordered):
        first_position.setdefault(v, i + 1)
        counts[v] += 1
    return {k: Rank(first_position[v], len(ordered), counts[v] > 1) for k, v in scored.items()}


def fmt_rank(rank: Rank | None, scope_type: str) -> str:
    if rank is None:
        return "non classé (pas de données)"
    tie = " ex aequo" if rank.tied else ""
    return f"{ordinal(rank.rank)}{tie} sur {fmt_number(rank.of)} {SCOPE_LABELS.get(scope_type, scope_type)}"


def exact(x) -> Fraction:
    """A target as the decimal number it was written as (60, 33.3), not its binary float approximation."""
    return Fraction(repr(float(x))) if isinstance(x, float) else Fraction(x)


def gap_to_target(numerator, denominator, target, comparison: str = "gte") -> int | None:
    """How many more (``gte``) or fewer (``lte``) units the numerator needs to reach the target.

    ``gte``: the smallest integer k >= 0 with (numerator + k) / denominator * 100 >= target;
    ``lte``: the smallest k >= 0 with (numerator - k) / denominator * 100 <= target.
    Without denominator (EP-5.2, in days) the value is the numerator itself. 0 = the target is reached.
    None when there is nothing to compute: no target, no numerator, or a denominator of 0 (no_data).
    """
    if is_missing(target) or is_missing(numerator) or denominator == 0:
        return None
    goal = exact(target) if denominator is None else exact(target) * int(denominator) / 100
    n = int(numerator)
    need = math.ceil(goal - n) if comparison != "lte" else math.ceil(n - goal)
    return max(0, need)


def agree(noun_phrase: str, n: int) -> str:
    """The numerator noun (plural in the catalogue) agreed with ``n``: for 1 the leading plural words lose their
    final s (« dossiers actualisés » → « dossier actualisé », « DUI actifs avec un projet » → « DUI actif avec un
    projet »); acronyms are left as they are."""
    if n != 1:
        return noun_phrase
    words = noun_phrase.split(" ")
    for i, w in enumerate(words):
        if w.isupper():
            continue
        if not w.endswith("s") or len(w) < 3:
            break
        words[i] = w[:-1]
    return " ".join(words)


def gap_sentence(row: dict, indicator: Indicator) -> str:
    """« objectif atteint », « 14 dossiers actualisés de plus », or "" when there is no target."""
    if is_missing(row.get("target")):
        return ""
    if row.get("target_met") is True:
        return "objectif atteint"
    k = gap_to_target(row.get("numerator"), row.get("denominator"), row.get("target"), indicator.comparison_for(
        row.get("subgroup")))
    if k is None:
        return "non calculable (pas de données)"
    if k == 0:
        return "objectif atteint"
    word = "de moins" if indicator.comparison_for(row.get("subgroup")) == "lte" else "de plus"
    return f"{fmt_number(k)} {agree(indicator.numerator_label or FALLBACK_NUMERATOR_LABEL, k)} {word}"


# --------------------------------------------------------------------------------------------------------------
# Reading the publication
# --------------------------------------------------------------------------------------------------------------

@dataclass
class Indicator:
    id: str
    label: str
    programme: str
    computation: str
    unit: str
    numerator_label: str  # plural French noun phrase (catalogue column numerator_label), "" when absent
    comparisons: dict  # subgroup ('' when none) -> 'gte' | 'lte'

    @property
    def computed(self) -> bool:
        return self.computation == "computed"

    def comparison_for(self, subgroup) -> str:
        return self.comparisons.get(subgroup or "", next(iter(self.comparisons.values()), "gte"))

    def sort_key(self) -> tuple:
        return (self.programme != "E-parcours", self.programme, natural_key(self.id))


@dataclass
class Publication:
    rows: list[dict]                  # publish.indicator_results
    indicators: dict[str, Indicator]
    structures: dict[tuple, dict]     # (scope_type, finess) -> publish.structures row (or a stub)
    quarantine: list[dict]
    measure_dates: list[date]

    @property
    def last(self) -> date | None:
        return self.measure_dates[-1] if self.measure_dates else None


def _records(con, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def read_publication(db: Path) -> Publication:
    """Everything the pages need, in one read-only connection and one query per table."""
    con = duckdb.connect(str(db), read_only=True, config=duckdb_config())
    try:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'publish'").fetchall()}

        def read(name: str, order: str = "") -> list[dict]:
            return _records(con, f"SELECT * FROM publish.{name} {order}") if name in tables else []

        rows = read("indicator_results", "ORDER BY measure_date")
        catalogue = read("indicator_catalogue")
        targets = read("indicator_targets")
        structures = read("structures")
        quarantine = read("quarantine_summary", "ORDER BY 1, 2, 3, 4")
    finally:
        con.close()
    return assemble(rows, catalogue, targets, structures, quarantine)


def assemble(rows, catalogue, targets, structures, quarantine) -> Publication:
    comparisons: dict[str, dict] = defaultdict(dict)
    for t in targets:
        if t.get("comparison"):
            comparisons[t["indicator_id"]].setdefault(t.get("subgroup") or "", t["comparison"])
    indicators = {}
    for c in catalogue:
        indicators[c["indicator_id"]] = Indicator(
            id=c["indicator_id"], label=c.get("label") or c["indicator_id"], programme=c.get("programme") or "",
            computation=c.get("computation") or "computed", unit=c.get("unit") or "",
            numerator_label=(c.get("numerator_label") or "").strip(),
            comparisons=dict(comparisons.get(c["indicator_id"], {})))
    for r in rows:  # an indicator published without a catalogue row is still shown
        if r["indicator_id"] not in indicators:
            declarative = r.get("numerator") is None and r.get("denominator") is None and r.get("value") is None
            indicators[r["indicator_id"]] = Indicator(
                id=r["indicator_id"], label=r.get("label") or r["indicator_id"], programme=r.get("programme") or "",
                computation="declarative" if declarative else "computed", unit="%",
                numerator_label="", comparisons=dict(comparisons.get(r["indicator_id"], {})))
    by_key = {}
    for s in structures:
        if s.get("scope_type") in STRUCTURE_TYPES and s.get("finess"):
            by_key[(s["scope_type"], s["finess"])] = s
    for r in rows:
        key = (r["scope_type"], r["scope_id"])
        if r["scope_type"] in STRUCTURE_TYPES and key not in by_key:
            by_key[key] = {"finess": r["scope_id"], "scope_type": r["scope_type"], "name": None}
    measure_dates = sorted({r["measure_date"] for r in rows})
    return Publication(rows, indicators, by_key, quarantine, measure_dates)


def structure_ranks(pub: Publication) -> dict:
    """(scope_type, finess, indicator_id, subgroup) -> Rank at the last measure date."""
    groups: dict[tuple, dict] = defaultdict(dict)
    for r in pub.rows:
        if r["measure_date"] == pub.last and r["scope_type"] in STRUCTURE_TYPES:
            ind = pub.indicators[r["indicator_id"]]
            if ind.computed:
                value = None if r.get("status") == "no_data" else r.get("value")
                groups[(r["scope_type"], r["indicator_id"], r.get("subgroup"))][r["scope_id"]] = value
    ranks = {}
    for (scope_type, indicator_id, subgroup), values in groups.items():
        comparison = pub.indicators[indicator_id].comparison_for(subgroup)
        for scope_id, rank in competition_ranks(values, comparison).items():
            ranks[(scope_type, scope_id, indicator_id, subgroup)] = rank
    return ranks


# --------------------------------------------------------------------------------------------------------------
# Charts: inline SVG (pure)
# --------------------------------------------------------------------------------------------------------------

def nice_ceiling(x: float) -> tuple[float, float]:
    """An axis maximum >= x and its tick step, on a 1-2-2.5-5 x 10^k grid, about 4 to 6 ticks."""
    if x <= 0:
        return 1.0, 0.25
    raw = x / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return math.ceil(x / step - 1e-9) * step, step


CHART_W, CHART_H, CHART_LEFT, CHART_RIGHT, CHART_TOP = 680, 250, 52, 70, 26


@lru_cache(maxsize=256)
def chart_frame(quarters: tuple, unit: str, y_max: float, step: float) -> str:
    """What every chart with these quarters and this scale shares: grid, axes, tick labels, legend (cached: a
    region writes thousands of charts over the same quarters). Quarters are labelled « T4 2024 »; beyond 8
    quarters, « T4 » per quarter with the year once below (« 2024 » under its first quarter)."""
    two_rows = len(quarters) > 8
    plot_w, plot_h = CHART_W - CHART_LEFT - CHART_RIGHT, CHART_H - CHART_TOP - (50 if two_rows else 36)
    band = plot_w / max(len(quarters), 1)
    base = CHART_TOP + plot_h
    out = [f'<text x="4" y="14">{esc("%" if unit == "%" else (unit or "valeur"))}</text><g class="yl">']
    tick = 0.0
    while tick <= y_max + 1e-9:
        yy = base - tick / y_max * plot_h
        out.append(f'<line class="grid" x1="{CHART_LEFT}" y1="{yy:.1f}" x2="{CHART_LEFT + plot_w}" y2="{yy:.1f}"/>'
                   f'<text x="{CHART_LEFT - 6}" y="{yy + 4:.1f}">{fmt_trim(tick)}</text>')
        tick += step
    out.append(f'</g><path class="axis" d="M{CHART_LEFT},{CHART_TOP} V{base} H{CHART_LEFT + plot_w}"/><g class="xl">')
    for i, q in enumerate(quarters):
        xx = CHART_LEFT + (i + 0.5) * band
        if two_rows:
            out.append(f'<text x="{xx:.1f}" y="{base + 15}">T{(q.month - 1) // 3 + 1}</text>')
            if i == 0 or q.year != quarters[i - 1].year:
                out.append(f'<text x="{xx:.1f}" y="{base + 30}">{q.year}</text>')
        else:
            out.append(f'<text x="{xx:.1f}" y="{base + 16}">{quarter_label(q)}</text>')
    lx = CHART_LEFT + 8
    out.append(f'</g><g class="legend"><path class="key values" d="M{lx},12 h22"/><text x="{lx + 27}" y="16">valeur</text>'
               f'<path class="key target" d="M{lx + 80},12 h22"/><text x="{lx + 107}" y="16">cible en vigueur</text>'
               f'<circle class="key point provisional" cx="{lx + 222}" cy="12" r="3.5"/>'
               f'<text x="{lx + 230}" y="16">provisoire</text></g>')
    return "".join(out)


def svg_chart(points: list[dict], unit: str, title: str, chart_id: str) -> str:
    """A trend chart: the value per quarter (line and points; a hollow point is provisional), the target in
    force as a dashed step line, French axes, the last value labelled. ``points``: one per quarter, in order,
    with ``quarter`` (date), ``value``, ``target`` (None when missing) and ``status``."""
    quarters = tuple(p["quarter"] for p in points)
    plot_w = CHART_W - CHART_LEFT - CHART_RIGHT
    plot_h = CHART_H - CHART_TOP - (50 if len(points) > 8 else 36)
    values = [p["value"] for p in points if not is_missing(p["value"])]
    targets = [p["target"] for p in points if not is_missing(p["target"])]
    peak = max(values + targets + [100.0 if unit == "%" else 0.0])
    y_max, step = nice_ceiling(peak if unit == "%" and peak <= 100 else peak * 1.08)
    band = plot_w / max(len(points), 1)
    base = CHART_TOP + plot_h

    def y(v) -> str:
        return f"{base - float(v) / y_max * plot_h:.1f}"

    last = next((i for i in range(len(points) - 1, -1, -1) if not is_missing(points[i]["value"])), None)
    desc = (f"Dernière valeur {fmt_value(points[last]['value'], unit)} au {quarter_label(points[last]['quarter'])}"
            if last is not None else "Aucune valeur publiée")
    out = [(f'<svg class="chart" viewBox="0 0 {CHART_W} {CHART_H}" role="img" '
           f'aria-labelledby="{chart_id}-t {chart_id}-d" id="{chart_id}"><title id="{chart_id}-t">{esc(title)}</title>'
           f'<desc id="{chart_id}-d">{esc(desc)}.</desc>'), chart_frame(quarters, unit, y_max, step)]
    # The target in force: a horizontal step over each quarter's band, a vertical join where it changes, a
    # break where there is none.
    target_path, previous = [], None
    for i, p in enumerate(points):
        t = p["target"]
        x0 = CHART_LEFT + i * band
        if is_missing(t):
            if previous is not None:
                target_path.append(f"H{x0:.1f}")
            previous = None
            continue
        if previous is None:
            target_path.append(f"M{x0:.1f},{y(t)}")
        elif t != previous:
            target_path.append(f"H{x0:.1f} V{y(t)}")
        previous = t
    if previous is not None:
        target_path.append(f"H{CHART_LEFT + plot_w}")
    if target_path:
        out.append(f'<path class="target" d="{" ".join(target_path)}"/>')
    # The values: a line through consecutive quarters with a value (a quarter without value breaks it).
    value_path, dots, pen_down = [], [], False
    for i, p in enumerate(points):
        if is_missing(p["value"]):
            pen_down = False
            continue
        xx, yy = f"{CHART_LEFT + (i + 0.5) * band:.1f}", y(p["value"])
        value_path.append(f"{'L' if pen_down else 'M'}{xx},{yy}")
        dots.append(f'<circle class="point{" provisional" if p.get("status") == "provisional" else ""}" '
                    f'cx="{xx}" cy="{yy}" r="3.5"/>')
        pen_down = True
    out.append(f'<path class="values" d="{" ".join(value_path) or f"M{CHART_LEFT},{base}"}"/>')
    out.extend(dots)
    if last is not None:
        out.append(f'<text class="last" x="{CHART_LEFT + (last + 0.5) * band + 7:.1f}" '
                   f'y="{float(y(points[last]["value"])) - 6:.1f}">{esc(fmt_value(points[last]["value"], unit))}</text>')
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------------------------------------------
# HTML pieces (pure)
# --------------------------------------------------------------------------------------------------------------

def page(title: str, body: str, root: str, info: dict, crumbs: list[tuple[str, str]], script: bool = False) -> str:
    nav = " › ".join(f'<a href="{esc(href)}">{esc(text)}</a>' if href else esc(text) for text, href in crumbs)
    js = f'<script src="{root}dashboard.js" defer></script>' if script else ""
    return (f'<!doctype html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{esc(title)}</title>\n'
            f'<link rel="stylesheet" href="{root}dashboard.css">\n{js}</head>\n<body>\n'
            f'<header class="site"><span class="brand">Tableau de bord E-parcours et ESMS Numérique</span>'
            f'<nav class="crumbs" aria-label="Fil d\'Ariane">{nav}</nav></header>\n<main>\n{body}\n</main>\n'
            f'<footer>Publication du {esc(fmt_published_at(info.get("published_at")))} · version du code '
            f'{esc(info.get("code_version") or DASH)} · données issues de l\'entrepôt publié '
            f'(schéma <code>publish</code>).</footer>\n</body>\n</html>\n')


def met_cell(row: dict) -> str:
    """« atteint » / « non atteint » (target_met as published), « sans cible », or « non évaluable » when a
    target is in force but there is no value (no_data)."""
    if row.get("target_met") is True:
        return '<td class="met">atteint</td>'
    if row.get("target_met") is False:
        return '<td class="notmet">non atteint</td>'
    if is_missing(row.get("target")):
        return '<td class="notarget">sans cible</td>'
    return '<td class="noeval">non évaluable</td>'


def status_cell(row: dict) -> str:
    return _status_td(row.get("status") or "")


@lru_cache(maxsize=64)
def _status_td(status: str) -> str:
    return f'<td class="status-{esc(status)}">{esc(STATUS_LABELS.get(status, status or DASH))}</td>'


def ratio_cell(row: dict) -> str:
    num, den = row.get("numerator"), row.get("denominator")
    if is_missing(den):
        return fmt_number(num) if not is_missing(num) else DASH
    return f"{fmt_number(num)} / {fmt_number(den)}"


def indicator_title(ind: Indicator, subgroup) -> str:
    sub = f" — {SUBGROUP_LABELS.get(subgroup, subgroup)}" if subgroup else ""
    return f"{ind.id}{sub}"


def anchor(indicator_id: str, subgroup) -> str:
    return "ind-" + re.sub(r"[^A-Za-z0-9]+", "-", f"{indicator_id}-{subgroup or ''}").strip("-").lower()


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def history_table(rows_by_date: dict, pub: Publication, ind: Indicator, subgroup) -> str:
    """The numbers of the chart, one row per quarter with a result; a « Période » column when a result is
    measured over more than its quarter (ESMS-MSS and ESMS-DMP windows)."""
    noun = f'<br><span class="muted">({esc(ind.numerator_label)})</span>' if ind.numerator_label else ""
    comparison = ind.comparison_for(subgroup)
    rows = [(d, rows_by_date[d]) for d in pub.measure_dates if d in rows_by_date]
    longer = any(isinstance(r.get("period_start"), date) and (r["period_start"] != quarter_start(d)
                 or r.get("period_end") != d) for d, r in rows)
    lines = []
    for d, r in rows:
        period = (f'<td class="period">du {fmt_date(r.get("period_start"))} au {fmt_date(r.get("period_end"))}</td>'
                  if longer else "")
        lines.append(f"<tr><th>{quarter_label(d)}</th>{period}<td>{fmt_number(r.get('numerator'))}</td>"
                     f"<td>{fmt_number(r.get('denominator'))}</td><td>{fmt_value(r.get('value'), ind.unit)}</td>"
                     f"<td>{fmt_target(r.get('target'), ind.unit, comparison)}</td>{met_cell(r)}{status_cell(r)}</tr>")
    return ('<table class="history"><caption>Données du graphique</caption><thead><tr><th>Trimestre</th>'
            + ('<th>Période mesurée</th>' if longer else '')
            + f'<th class="num">Numérateur{noun}</th><th class="num">Dénominateur</th>'
            '<th class="num">Valeur</th><th class="num">Cible</th><th>Atteinte</th><th>Statut</th></tr></thead>'
            f'<tbody>{"".join(lines)}</tbody></table>')


def indicator_block(pub: Publication, ind: Indicator, subgroup, rows_by_date: dict, chart_id: str,
                    who: str) -> str:
    points = [{"quarter": d, "value": (rows_by_date.get(d) or {}).get("value"),
               "target": (rows_by_date.get(d) or {}).get("target"),
               "status": (rows_by_date.get(d) or {}).get("status")} for d in pub.measure_dates]
    title = f"{indicator_title(ind, subgroup)} ({who}) : {ind.label}, évolution trimestrielle et cible en vigueur"
    return (f'<section class="indicator" id="{anchor(ind.id, subgroup)}">'
            f'<h3>{esc(indicator_title(ind, subgroup))} <span class="label">{esc(ind.label)}</span></h3>'
            f'<figure class="chart">{svg_chart(points, ind.unit, title, chart_id)}</figure>'
            f'{history_table(rows_by_date, pub, ind, subgroup)}</section>')


def series(rows: list[dict]) -> dict[tuple, dict]:
    """(indicator_id, subgroup) -> {measure_date: row}."""
    out: dict[tuple, dict] = defaultdict(dict)
    for r in rows:
        out[(r["indicator_id"], r.get("subgroup"))][r["measure_date"]] = r
    return out


def ordered_keys(keys, pub: Publication) -> list[tuple]:
    return sorted(keys, key=lambda k: (pub.indicators[k[0]].sort_key(), k[1] or ""))


def structure_href(scope_type: str, finess: str) -> str:
    return f"structures/{scope_type}-{finess}.html"


# --------------------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------------------

def region_identity(pub: Publication, info: dict) -> tuple[str, str]:
    code = info.get("region_code") or next((r["scope_id"] for r in pub.rows if r["scope_type"] == "region"), None)
    return (info.get("region_name") or DASH), (code or DASH)


def headline(rows: list[dict], pub: Publication) -> str:
    """What the index shows for a structure: the targets met at the last quarter."""
    last = [r for r in rows if r["measure_date"] == pub.last and pub.indicators[r["indicator_id"]].computed]
    if not last:
        return f"pas de résultat au {quarter_label(pub.last)}" if pub.last else "pas de résultat"
    with_target = [r for r in last if not is_missing(r.get("target"))]
    if not with_target:
        return "aucune cible en vigueur"
    met = sum(1 for r in with_target if r.get("target_met") is True)
    return f"cibles atteintes : {met} sur {len(with_target)}"


def render_index(pub: Publication, info: dict, by_scope: dict) -> str:
    name, code = region_identity(pub, info)
    last = f"{quarter_label(pub.last)} (mesure au {fmt_date(pub.last)})" if pub.last else DASH
    sections = []
    for scope_type in STRUCTURE_TYPES:
        items = sorted((s for (t, _), s in pub.structures.items() if t == scope_type),
                       key=lambda s: (search_key(s.get("name") or ""), s["finess"]))
        rows = []
        for s in items:
            label = s.get("name") or s["finess"]
            category = s.get("libcategetab") or SCOPE_LABELS[scope_type]
            rows.append(f'<tr data-search="{esc(search_key(label, s["finess"]))}"><td><a href="'
                        f'{structure_href(scope_type, s["finess"])}">{esc(label)}</a></td>'
                        f'<td class="nowrap">{esc(s["finess"])}</td><td>{esc(category)}</td>'
                        f'<td>{esc(s.get("departement") or DASH)}</td>'
                        f'<td>{esc(headline(by_scope.get((scope_type, s["finess"]), []), pub))}</td></tr>')
        table_id = f"list-{scope_type}"
        total = fmt_number(len(items))
        sections.append(
            f'<h2 id="{scope_type}">{SCOPE_LABELS[scope_type]} (<span id="{table_id}-count" data-total="{total}">'
            f'{total}</span>)</h2>'
            + (f'<table class="structures" id="{table_id}"><thead><tr><th>Nom</th><th>FINESS</th><th>Type</th>'
               f'<th>Département</th><th>Au {quarter_label(pub.last) if pub.last else DASH}</th></tr></thead>'
               f'<tbody>{"".join(rows)}</tbody></table>' if items else '<p class="muted">Aucune structure publiée.</p>'))
    body = (f'<h1>Région {esc(name)} <span class="muted">({esc(code)})</span></h1>'
            f'<p class="lead">Tableau de bord trimestriel des indicateurs d\'usage E-parcours et ESMS Numérique · '
            f'données au {esc(last)} · publié le {esc(fmt_published_at(info.get("published_at")))}</p>'
            f'<p><a href="region.html"><strong>Voir la page régionale</strong></a> : indicateurs de la région, '
            f'cibles, indicateurs déclaratifs et qualité des données.</p>'
            f'<ul class="plain">' + "".join(f'<li><a href="#{t}">{SCOPE_LABELS[t]}</a></li>' for t in STRUCTURE_TYPES)
            + '</ul>'
            '<form class="search" id="search" role="search" hidden><label for="search-box">Rechercher une structure '
            '(nom ou FINESS) : </label><input type="search" id="search-box" autocomplete="off" '
            'placeholder="ex. : EHPAD, 420237430"></form>'
            + "".join(sections))
    return page(f"Tableau de bord — Région {name}", body, "", info, [("Accueil", "")], script=True)


def summary_row(ind: Indicator, r: dict, extra: str = "") -> str:
    sub = SUBGROUP_LABELS.get(r.get("subgroup"), r.get("subgroup")) if r.get("subgroup") else ""
    return (f'<tr><th scope="row"><a href="#{anchor(ind.id, r.get("subgroup"))}">{esc(ind.id)}</a> '
            f'<span class="label">{esc(ind.label)}</span>{"<br>" + esc(sub) if sub else ""}</th>'
            f'<td class="num">{fmt_value(r.get("value"), ind.unit)}</td><td class="num">{ratio_cell(r)}</td>'
            f'<td class="num">{fmt_target(r.get("target"), ind.unit, ind.comparison_for(r.get("subgroup")))}</td>'
            f'{met_cell(r)}{status_cell(r)}{extra}'
            f'<td class="gap">{esc(gap_sentence(r, ind))}</td></tr>')


def render_region(pub: Publication, info: dict) -> str:
    name, code = region_identity(pub, info)
    region_rows = [r for r in pub.rows if r["scope_type"] == "region"]
    region_series = series([r for r in region_rows if pub.indicators[r["indicator_id"]].computed])
    keys = ordered_keys(region_series, pub)
    lastq = quarter_label(pub.last) if pub.last else DASH
    summary = []
    for k in keys:
        r = region_series[k].get(pub.last)
        if r is not None:
            ind = pub.indicators[k[0]]
            summary.append(summary_row(ind, r, f'<td>{esc(r.get("reference_document") or DASH)}</td>'))
    body = [f'<h1>Région {esc(name)} <span class="muted">({esc(code)})</span></h1>',
            (f'<p class="lead">Indicateurs au {lastq} (mesure au {fmt_date(pub.last)}) · publié le '
            f'{esc(fmt_published_at(info.get("published_at")))} · <a href="index.html">liste des structures</a></p>'),
            ('<ul class="toc"><li><a href="#synthese">Synthèse régionale</a></li><li><a href="#structures">'
            'Structures atteignant la cible</a></li><li><a href="#evolution">Évolution par indicateur</a></li>'
            '<li><a href="#declaratifs">Indicateurs déclaratifs</a></li><li><a href="#qualite">Qualité des données'
            '</a></li></ul>'),
            f'<h2 id="synthese">Synthèse régionale au {lastq}</h2>']
    if summary:
        body.append('<table class="summary"><thead><tr><th>Indicateur</th><th class="num">Valeur</th>'
                    '<th class="num">Numérateur / dénominateur</th><th class="num">Cible en vigueur</th>'
                    '<th>Atteinte</th><th>Statut</th><th>Document de référence</th><th>Pour atteindre la cible</th>'
                    f'</tr></thead><tbody>{"".join(summary)}</tbody></table>')
    else:
        body.append('<p class="muted">Aucun indicateur régional publié.</p>')
    body.append(structures_meeting_targets(pub))
    body.append('<h2 id="evolution">Évolution par indicateur</h2>')
    for i, k in enumerate(keys):
        body.append(indicator_block(pub, pub.indicators[k[0]], k[1], region_series[k], f"chart-{i}",
                                    f"région {name}"))
    body.append(declaratives_section(pub, region_rows))
    body.append(quality_section(pub, info.get("quality") or {}))
    return page(f"Région {name} — indicateurs au {lastq}", "".join(body), "", info,
                [("Accueil", "index.html"), ("Région", "")])


def structures_meeting_targets(pub: Publication) -> str:
    """At the last quarter, per indicator and structure type: how many structures meet the target."""
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # value, met, not met, no data, target
    for r in pub.rows:
        if r["measure_date"] != pub.last or r["scope_type"] not in STRUCTURE_TYPES:
            continue
        if not pub.indicators[r["indicator_id"]].computed:
            continue
        c = counts[(r["indicator_id"], r.get("subgroup"), r["scope_type"])]
        if is_missing(r.get("value")):
            c[3] += 1
        else:
            c[0] += 1
            c[1] += r.get("target_met") is True
            c[2] += r.get("target_met") is False
        c[4] += not is_missing(r.get("target"))
    lines = []
    for ind_id, subgroup, scope_type in sorted(counts, key=lambda k: (pub.indicators[k[0]].sort_key(), k[1] or "",
                                                                      STRUCTURE_TYPES.index(k[2]))):
        ind = pub.indicators[ind_id]
        with_value, met, not_met, no_data, with_target = counts[(ind_id, subgroup, scope_type)]
        met_cells = (f'<td class="num">{fmt_number(met)}</td><td class="num">{fmt_number(not_met)}</td>'
                     if with_target else '<td class="num notarget" colspan="2">sans cible</td>')
        lines.append(f'<tr><th scope="row">{esc(indicator_title(ind, subgroup))} <span class="label">'
                     f'{esc(ind.label)}</span></th><td>{SCOPE_LABELS[scope_type]}</td>'
                     f'<td class="num">{fmt_number(with_value)}</td>{met_cells}'
                     f'<td class="num">{fmt_number(no_data)}</td></tr>')
    if not lines:
        return ('<h2 id="structures">Structures atteignant la cible</h2>'
                '<p class="muted">Aucun résultat par structure.</p>')
    return (f'<h2 id="structures">Structures atteignant la cible au {quarter_label(pub.last)}</h2>'
            '<p class="muted">Les indicateurs ESMS Numérique sont calculés par établissement (pas de valeur '
            'régionale) : leur détail est sur la page de chaque ESMS.</p>'
            '<table class="counts"><thead><tr><th>Indicateur</th><th>Type</th><th class="num">Structures avec une '
            'valeur</th><th class="num">Cible atteinte</th><th class="num">Cible non atteinte</th>'
            f'<th class="num">Pas de données</th></tr></thead><tbody>{"".join(lines)}</tbody></table>')


def declared(row: dict | None) -> str:
    if row is None or row.get("target_met") is None:
        return '<span class="noeval">non déclaré</span>'
    return '<span class="met">Oui</span>' if row["target_met"] else '<span class="notmet">Non</span>'


def declaratives_section(pub: Publication, region_rows: list[dict]) -> str:
    decl = series([r for r in region_rows if not pub.indicators[r["indicator_id"]].computed
                   and pub.indicators[r["indicator_id"]].computation != "retired"])
    if not decl:
        return '<h2 id="declaratifs">Indicateurs déclaratifs</h2><p class="muted">Aucun indicateur déclaratif.</p>'
    lines, history_head = [], "".join(f"<th>{quarter_label(d)}</th>" for d in pub.measure_dates)
    history = []
    for k in ordered_keys(decl, pub):
        ind, by_date = pub.indicators[k[0]], decl[k]
        r = by_date.get(pub.last)
        lines.append(f'<tr><th scope="row">{esc(ind.id)} <span class="label">{esc(ind.label)}</span></th>'
                     f'<td>{declared(r)}</td><td>{esc((r or {}).get("evidence_reference") or DASH)}</td>'
                     f'<td>{fmt_date((r or {}).get("evidence_date"))}</td>{status_cell(r or {})}'
                     f'<td>{esc((r or {}).get("reference_document") or DASH)}</td></tr>')
        history.append(f'<tr><th scope="row">{esc(ind.id)}</th>'
                       + "".join(f"<td>{declared(by_date.get(d))}</td>" for d in pub.measure_dates) + "</tr>")
    return (f'<h2 id="declaratifs">Indicateurs déclaratifs (O/N) au {quarter_label(pub.last)}</h2>'
            '<table class="declaratives"><thead><tr><th>Indicateur</th><th>Déclaré</th><th>Preuve</th>'
            '<th>Date de la preuve</th><th>Statut</th><th>Document de référence</th></tr></thead>'
            f'<tbody>{"".join(lines)}</tbody></table>'
            '<details><summary>Historique des déclarations par trimestre</summary>'
            f'<table class="declaratives-history"><thead><tr><th>Indicateur</th>{history_head}</tr></thead>'
            f'<tbody>{"".join(history)}</tbody></table></details>')


def quality_section(pub: Publication, quality: dict) -> str:
    facts = [("Fichiers ingérés", quality.get("files_ingested")), ("Fichiers refusés", quality.get("files_refused")),
             ("Lignes chargées", quality.get("rows_loaded")), ("Lignes en quarantaine", quality.get("rows_quarantined")),
             ("Valeurs signalées (chargées, marquées invalides)", quality.get("values_flagged"))]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{fmt_number(v) if isinstance(v, (int, float)) else esc(v or DASH)}</dd>"
                 for k, v in facts)
    warnings = quality.get("warnings") or []
    warn = "".join(f'<li><code>{esc(plain(w.get("id")))}</code> — {esc(plain(w.get("table")))} : '
                   f'{esc(plain(w.get("means")))} (observé : {esc(plain(w.get("observed")))})</li>'
                   for w in warnings if isinstance(w, dict))
    overrides = quality.get("overrides") or []
    over = "".join(f'<li><code>{esc(plain(o.get("id")))}</code> — {esc(plain(o.get("reason")))} (par '
                   f'{esc(plain(o.get("by")))}, le {esc(plain(o.get("at")))})</li>' for o in overrides if isinstance(o, dict))
    rows = "".join(f'<tr><td>{esc(q.get("source"))}</td><td>{esc(q.get("table_name"))}</td><td>{esc(q.get("file_name"))}'
                   f'</td><td>{esc(q.get("rule"))}</td><td>{esc(q.get("severity"))}</td>'
                   f'<td class="num">{fmt_number(q.get("n_rows"))}</td><td class="num">{fmt_number(q.get("first_line"))}'
                   f'</td><td>{esc(q.get("example_reason"))}</td></tr>' for q in pub.quarantine)
    return ('<h2 id="qualite">Qualité des données de la publication</h2>'
            f'<dl class="facts">{dl}</dl>'
            f'<h3>Avertissements ({fmt_number(len(warnings))})</h3>'
            + (f'<ul class="plain warnings">{warn}</ul>' if warn else '<p class="muted">Aucun avertissement.</p>')
            + f'<h3>Dérogations au contrôle qualité ({fmt_number(len(overrides))})</h3>'
            + (f'<ul class="plain overrides">{over}</ul>' if over else '<p class="muted">Aucune dérogation.</p>')
            + '<h3>Lignes en quarantaine des livraisons en vigueur</h3>'
            + ('<table class="quarantine"><thead><tr><th>Source</th><th>Table</th><th>Fichier</th><th>Règle</th>'
               '<th>Gravité</th><th class="num">Lignes</th><th class="num">Première ligne</th><th>Exemple</th></tr>'
               f'</thead><tbody>{rows}</tbody></table>' if rows else '<p class="muted">Aucune ligne en quarantaine.</p>'))


def render_structure(pub: Publication, info: dict, key: tuple, rows: list[dict], ranks: dict,
                     region_last: dict) -> str:
    scope_type, finess = key
    s = pub.structures[key]
    name = s.get("name") or finess
    type_label = SCOPE_LABELS[scope_type]
    computed = series([r for r in rows if pub.indicators[r["indicator_id"]].computed])
    keys = ordered_keys(computed, pub)
    lastq = quarter_label(pub.last) if pub.last else DASH
    facts = [("FINESS", finess), ("Type", type_label), ("Catégorie FINESS", s.get("libcategetab")),
             ("Département", s.get("departement")), ("Projet GALIS", s.get("galis_ref")),
             ("Dernière extraction où elle figure", fmt_date(s.get("last_seen")) if s.get("last_seen") else None)]
    with_region = any(k in region_last for k in keys)
    summary = []
    for k in keys:
        r = computed[k].get(pub.last)
        if r is None:
            continue
        ind = pub.indicators[k[0]]
        region = region_last.get(k)
        extra = f'<td>{esc(fmt_rank(ranks.get((scope_type, finess, k[0], k[1])), scope_type))}</td>'
        if with_region:
            extra += f'<td class="num">{fmt_value(region.get("value"), ind.unit) if region else DASH}</td>'
        summary.append(summary_row(ind, r, extra))
    body = [f'<h1>{esc(name)}</h1>',
            (f'<p class="lead">{type_label} · indicateurs au {lastq} (mesure au {fmt_date(pub.last)}) · '
            f'<a href="../region.html">page régionale</a> · <a href="../index.html">toutes les structures</a></p>'),
            '<dl class="facts">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts if v) + '</dl>',
            f'<h2 id="synthese">Synthèse au {lastq}</h2>']
    if summary:
        body.append('<table class="summary"><thead><tr><th>Indicateur</th><th class="num">Valeur</th>'
                    '<th class="num">Numérateur / dénominateur</th><th class="num">Cible en vigueur</th>'
                    f'<th>Atteinte</th><th>Statut</th><th>Rang parmi les {type_label}</th>'
                    + ('<th class="num">Valeur régionale</th>' if with_region else '')
                    + '<th>Pour atteindre la cible</th></tr></thead>'
                    f'<tbody>{"".join(summary)}</tbody></table>')
    else:
        body.append(f'<p class="muted">Aucun résultat publié pour cette structure au {lastq}.</p>')
    if keys:
        body.append('<h2 id="evolution">Évolution par indicateur</h2>')
    for i, k in enumerate(keys):
        body.append(indicator_block(pub, pub.indicators[k[0]], k[1], computed[k], f"chart-{i}", name))
    return page(f"{name} ({type_label} {finess}) — indicateurs au {lastq}", "".join(body), "../", info,
                [("Accueil", "../index.html"), ("Région", "../region.html"), (name, "")])


# --------------------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------------------

def write_dashboard(db: Path, out_dir: Path, info: dict) -> list[Path]:
    """Write the dashboard of the analysts' file ``db`` into ``out_dir``; return the files written."""
    info = info or {}
    pub = read_publication(Path(db))
    out_dir = Path(out_dir)
    (out_dir / "structures").mkdir(parents=True, exist_ok=True)
    by_scope: dict[tuple, list[dict]] = defaultdict(list)
    for r in pub.rows:
        if r["scope_type"] in STRUCTURE_TYPES:
            by_scope[(r["scope_type"], r["scope_id"])].append(r)
    written = []

    def write(rel: str, text: str) -> None:
        path = out_dir / rel
        path.write_text(text, encoding="utf-8")
        written.append(path)

    for asset in ("dashboard.css", "dashboard.js"):
        shutil.copyfile(ASSETS / asset, out_dir / asset)
        written.append(out_dir / asset)
    write("index.html", render_index(pub, info, by_scope))
    write("region.html", render_region(pub, info))
    ranks = structure_ranks(pub)
    region_last = {(r["indicator_id"], r.get("subgroup")): r for r in pub.rows
                   if r["scope_type"] == "region" and r["measure_date"] == pub.last}
    for key in sorted(pub.structures):
        write(structure_href(*key), render_structure(pub, info, key, by_scope.get(key, []), ranks, region_last))
    return written
