"""The quarterly dashboard (dagster_project/publication/dashboard.py) on a publish DB built here with SQL: a
few DAC, CPTS and ESMS over 3 quarters with hand-chosen numbers, so that every rank, gap and formatted figure
below is computed by hand. No browser (tests/e2e/test_dashboard_browser.py opens the pages in Chromium).
"""
import hashlib
import re
import time
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import pytest

from dagster_project.publication.dashboard import (
    Rank,
    agree,
    competition_ranks,
    fmt_number,
    fmt_published_at,
    fmt_rank,
    fmt_target,
    fmt_value,
    gap_to_target,
    nice_ceiling,
    quarter_label,
    svg_chart,
    write_dashboard,
)

REPO = Path(__file__).resolve().parents[2]
NNBSP, NBSP = "\u202f", "\u00a0"
Q2, Q3, Q4 = date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)
QUARTERS = {Q2: date(2024, 4, 1), Q3: date(2024, 7, 1), Q4: date(2024, 10, 1)}

DAC_A, DAC_B, DAC_C, DAC_D = "010000011", "010000029", "010000037", "010000045"
CPTS_A, CPTS_B = "020000014", "020000022"
ESMS_A, ESMS_B = "030000017", "030000025"

SCHEMA = """
CREATE SCHEMA publish;
CREATE TABLE publish.indicator_results (
    indicator_id VARCHAR, label VARCHAR, programme VARCHAR, scope_type VARCHAR, scope_id VARCHAR,
    subgroup VARCHAR, period_start DATE, period_end DATE, numerator BIGINT, denominator BIGINT, value DOUBLE,
    target DOUBLE, target_met BOOLEAN, status VARCHAR, reference_document VARCHAR, measure_date DATE,
    evidence_reference VARCHAR, evidence_date DATE, extra_column VARCHAR);
CREATE TABLE publish.indicator_catalogue (
    indicator_id VARCHAR, label VARCHAR, programme VARCHAR, computation VARCHAR, unit VARCHAR,
    reference_document VARCHAR, scopes VARCHAR, retired BOOLEAN, model VARCHAR, numerator_label VARCHAR);
CREATE TABLE publish.indicator_targets (
    indicator_id VARCHAR, subgroup VARCHAR, reference_document VARCHAR, applies_from DATE, target DOUBLE,
    comparison VARCHAR, unit VARCHAR, retired BOOLEAN, source VARCHAR);
CREATE TABLE publish.structures (
    finess VARCHAR, scope_type VARCHAR, name VARCHAR, galis_ref VARCHAR, categetab VARCHAR, libcategetab VARCHAR,
    departement VARCHAR, code_region VARCHAR, last_seen DATE);
CREATE TABLE publish.quarantine_summary (
    source VARCHAR, table_name VARCHAR, file_name VARCHAR, rule VARCHAR, severity VARCHAR, n_rows BIGINT,
    first_line BIGINT, example_reason VARCHAR);
"""

CATALOGUE = [
    ("EP-3.2", "ROR : description exhaustive", "E-parcours", "computed", "%", "note_2021_216", "region x groupe",
     False, "ind_ep_3_2_ror_qualite", "établissements conformes au critère qualité du ROR"),
    ("EP-5.2", "Annuaire MSSanté actualisé", "E-parcours", "computed", "jours", "note_2021_216", "region", False,
     "ind_ep_5_2_annuaire_mssante", "jours d'ancienneté de l'annuaire"),
    ("EP-6.1", "Dossiers actualisés dans le trimestre (DAC)", "E-parcours", "computed", "%", "note_2021_216",
     "dac, region", False, "ind_ep_6_1_dossiers_actifs", "dossiers actualisés"),
    ("EP-6.2", "Primo-évaluation dans le mois (DAC)", "E-parcours", "computed", "%", "note_2021_216",
     "dac, region", False, "ind_ep_6_2_primo_evaluation", "dossiers primo-évalués à temps"),
    ("EP-7.1", "Membres ayant publié (CPTS)", "E-parcours", "computed", "%", "note_2021_216", "cpts, region",
     False, "ind_ep_7_1_membres_actifs_reseau", "membres ayant publié sur le réseau"),
    ("EP-INS", "Dossiers avec une INS qualifiée", "E-parcours", "computed", "%", "rulebook", "dac, cpts, region",
     False, "ind_ep_ins_qualifie", "dossiers avec une INS qualifiée"),
    ("EP-6.5", "Rendez-vous (supprimé)", "E-parcours", "retired", "%", "guide_2020", "dac, region", True, None, None),
    ("6.6", "Tableau de bord trimestriel du DAC", "E-parcours", "declarative", "O/N", "note_2021_216", "region",
     False, "ind_ep_declaratifs", None),
    ("ESMS-MSS", "Messages MSSanté rapportés aux DUI avec PP", "ESMS Numérique", "computed", "%",
     "instruction_2024_15", "esms", False, "ind_esms_mss", "messages envoyés via la MSSanté"),
]

TARGETS = [
    ("EP-3.2", "SAN_MCO_SSR_PSY", "note_2021_216", date(2020, 12, 31), 90.0, "gte", "%", False, "annexe 2"),
    ("EP-3.2", "SAN_HAD_USLD", "note_2021_216", date(2022, 1, 1), 60.0, "gte", "%", False, "annexe 2"),
    ("EP-3.2", "MEDICO_SOCIAL", "note_2021_216", date(2022, 12, 31), 30.0, "gte", "%", False, "annexe 2"),
    ("EP-3.2", "VILLE", "note_2021_216", date(2021, 1, 1), None, "gte", "%", False, "annexe 2"),
    ("EP-5.2", None, "note_2021_216", date(2020, 12, 31), 183.0, "lte", "jours", False, "l.126"),
    ("EP-6.1", None, "note_2021_216", date(2020, 12, 31), 60.0, "gte", "%", False, "l.131"),
    ("EP-6.2", None, "note_2021_216", date(2020, 12, 31), 80.0, "gte", "%", False, "l.132"),
    ("EP-7.1", None, "note_2021_216", date(2020, 12, 31), 40.0, "gte", "%", False, "l.151"),
    ("ESMS-MSS", None, "instruction_2024_15", date(2024, 2, 1), 70.0, "gte", "%", False, "l.99"),
]

STRUCTURES = [
    (DAC_A, "dac", "DAC Alpha", None, "606", "Dispositif d'appui à la coordination (DAC)", "01", "84", Q4),
    (DAC_B, "dac", "DAC Bêta", None, "606", "Dispositif d'appui à la coordination (DAC)", "07", "84", Q4),
    (DAC_C, "dac", "DAC Gamma", None, "606", "Dispositif d'appui à la coordination (DAC)", "26", "84", Q4),
    (DAC_D, "dac", "DAC Delta", None, "606", "Dispositif d'appui à la coordination (DAC)", "38", "84", Q4),
    (CPTS_A, "cpts", "CPTS du Lac", None, "604", "CPTS", "74", "84", Q4),
    (CPTS_B, "cpts", "CPTS des Monts", None, "604", "CPTS", "15", "84", Q4),
    (ESMS_A, "esms", "EHPAD Les Érables", "12345678", "500", "EHPAD", "63", "84", Q4),
    (ESMS_B, "esms", "SSIAD du Val", "12345678", "354", "SSIAD", "43", "84", Q4),
]


def row(indicator_id, scope_type, scope_id, d, num, den, target, met, status="final", subgroup=None, value=None,
        evidence=None, document="note_2021_216", period_start=None):
    """One indicator_results row; value = round(100 * num / den, 2) as the publication computes it."""
    if value is None and den:
        value = round(100.0 * num / den, 2)
    return (indicator_id, f"label {indicator_id}", "ESMS Numérique" if indicator_id.startswith("ESMS") else
            "E-parcours", scope_type, scope_id, subgroup, period_start or QUARTERS[d], d, num, den, value, target, met, status,
            document, d, evidence, d if evidence else None, "ignored")


def results() -> list[tuple]:
    rows = []
    # EP-6.1 per DAC (target 60 %). Last quarter: A 9/17 = 52,94 % (needs 2: 11/17 = 64,7 %, 10/17 = 58,8 %),
    # B 3/5 = 60 % exactly (met), C 6/10 = 60 % (tied with B), D 0/0 no_data (not ranked).
    for d, (a, b, c) in {Q2: ((4, 12), (2, 5), (5, 10)), Q3: ((10, 14), (4, 5), (5, 10)),
                         Q4: ((9, 17), (3, 5), (6, 10))}.items():
        for dac, (num, den) in ((DAC_A, a), (DAC_B, b), (DAC_C, c)):
            rows.append(row("EP-6.1", "dac", dac, d, num, den, 60.0, 100 * num / den >= 60))
        rows.append(row("EP-6.1", "dac", DAC_D, d, 0, 0, 60.0, None, status="no_data"))
        rows.append(row("EP-6.1", "region", "84", d, a[0] + b[0] + c[0], a[1] + b[1] + c[1], 60.0,
                        100 * (a[0] + b[0] + c[0]) / (a[1] + b[1] + c[1]) >= 60))
    # EP-6.2 (target 80 %), last quarter only: A 7/9 = 77,78 % (needs exactly 1: 8/9 = 88,9 %), B 1/1.
    rows.append(row("EP-6.2", "dac", DAC_A, Q4, 7, 9, 80.0, False, status="provisional"))
    rows.append(row("EP-6.2", "dac", DAC_B, Q4, 1, 1, 80.0, True, status="provisional"))
    # EP-INS (no target): ranks only.
    rows.append(row("EP-INS", "dac", DAC_A, Q4, 11, 17, None, None, document="rulebook"))
    rows.append(row("EP-INS", "dac", DAC_B, Q4, 4, 5, None, None, document="rulebook"))
    # EP-7.1 per CPTS (target 40 %): A 13/19 = 68,42 %, B 1/4 = 25 % (needs 1: 2/4 = 50 %).
    for d in QUARTERS:
        rows.append(row("EP-7.1", "cpts", CPTS_A, d, 13, 19, 40.0, True))
        rows.append(row("EP-7.1", "cpts", CPTS_B, d, 1, 4, 40.0, False))
    # ESMS-MSS (target 70 %, may exceed 100 %), measured over a 6-month window: A 18/15 = 120 %; B 11 messages
    # over 0 DUI: no_data.
    for d in QUARTERS:
        window = date(d.year, d.month - 5, 1)
        rows.append(row("ESMS-MSS", "esms", ESMS_A, d, 18, 15, 70.0, True, document="instruction_2024_15",
                        period_start=window))
        rows.append(row("ESMS-MSS", "esms", ESMS_B, d, 11, 0, 70.0, None, status="no_data",
                        document="instruction_2024_15", period_start=window))
    # Region-only indicators: EP-5.2 in days (lte 183): 90, 183 (exactly met), 274 (needs 91 fewer days).
    for d, days in {Q2: 90, Q3: 183, Q4: 274}.items():
        rows.append(row("EP-5.2", "region", "84", d, days, None, 183.0, days <= 183, value=float(days)))
    # EP-3.2: 4 subgroups at the last quarter; MCO 18/23 = 78,26 % < 90 (needs 3: 21/23 = 91,3 %, 20/23 = 86,96 %).
    for sub, num, den, target in (("SAN_MCO_SSR_PSY", 18, 23, 90.0), ("SAN_HAD_USLD", 4, 4, 60.0),
                                  ("MEDICO_SOCIAL", 38, 81, 30.0), ("VILLE", 3, 11, None)):
        for d in QUARTERS:
            rows.append(row("EP-3.2", "region", "84", d, num, den, target,
                            None if target is None else 100 * num / den >= target, subgroup=sub))
    # Declarative 6.6: declared O with its evidence each quarter.
    for d in QUARTERS:
        rows.append(row("6.6", "region", "84", d, None, None, None, True,
                        evidence=f"GED-ARS84/{d.year}/Tableau_de_bord_{quarter_label(d).replace(' ', '_')}.xlsx"))
    return rows


def build_db(path: Path, with_numerator_label: bool = True) -> Path:
    con = duckdb.connect(str(path))
    con.execute(SCHEMA)
    con.executemany("INSERT INTO publish.indicator_results VALUES (" + ", ".join(["?"] * 19) + ")", results())
    con.executemany("INSERT INTO publish.indicator_catalogue VALUES (" + ", ".join(["?"] * 10) + ")", CATALOGUE)
    con.executemany("INSERT INTO publish.indicator_targets VALUES (" + ", ".join(["?"] * 9) + ")", TARGETS)
    con.executemany("INSERT INTO publish.structures VALUES (" + ", ".join(["?"] * 9) + ")", STRUCTURES)
    con.execute("INSERT INTO publish.quarantine_summary VALUES ('dui', 'dui_evenements', 'dui/dui_evenements_2024-03.csv',"
                " 'bad_finess', 'rejected', 1, 56, 'finess_geo = ''070511210'' is not a valid FINESS number')")
    if not with_numerator_label:
        con.execute("ALTER TABLE publish.indicator_catalogue DROP COLUMN numerator_label")
    con.close()
    return path


INFO = {
    "published_at": "2025-01-15T06:30:00+00:00", "code_version": "0.1.0+abc1234", "region_code": "84",
    "region_name": "Auvergne-Rhône-Alpes",
    "quality": {"files_ingested": 1234, "files_refused": 1, "rows_loaded": 143609, "rows_quarantined": 7,
                "values_flagged": 2,
                "warnings": [{"id": "jump_share", "table": "indicator_results", "means": "une structure a bougé",
                              "observed": "EP-6.1 010000011 +42 points"},
                             {"id": "volume", "table": "coord_dossiers", "means": "mois incomplet",
                              "observed": "-35 %"}],
                "overrides": [{"id": "volume", "reason": "livraison partielle connue", "by": "a.martin",
                               "at": "2025-01-14"}]},
}


class Page(HTMLParser):
    """What the tests read in a written page: links, ids, charts and the text."""

    def __init__(self, text: str):
        super().__init__()
        self.links, self.ids, self.charts, self.text_parts = [], set(), [], []
        self._svg = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("a", "link") and "href" in a:
            self.links.append(a["href"])
        if tag == "script" and "src" in a:
            self.links.append(a["src"])
        if tag == "svg":
            self._svg = {"class": a.get("class"), "aria": a.get("aria-labelledby"), "paths": [], "title": False}
            self.charts.append(self._svg)
        if tag == "path" and self._svg is not None:
            self._svg["paths"].append((a.get("class"), a.get("d", "")))

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None

    def handle_data(self, data):
        if self._svg is not None and self.lasttag == "title":
            self._svg["title"] = True
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"[ \t\r\n]+", " ", " ".join(self.text_parts))  # keeps the no-break spaces


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("dashboard")
    db = build_db(root / "warehouse.duckdb")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    files = write_dashboard(db, root / "dashboard", INFO)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before, "the analysts' file must never be written"
    pages = {p.relative_to(root / "dashboard").as_posix(): Page(p.read_text(encoding="utf-8"))
             for p in files if p.suffix == ".html"}
    return root / "dashboard", files, pages


# ---------------------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------------------

def test_french_number_formatting():
    assert fmt_number(1234.5, 1) == f"1{NNBSP}234,5"
    assert fmt_number(1234567) == f"1{NNBSP}234{NNBSP}567"
    assert fmt_number(-0.04, 1) == "0,0"  # Regression: no « -0,0 »
    assert fmt_value(85.714, "%") == f"85,7{NBSP}%"
    assert fmt_value(120.0, "%") == f"120,0{NBSP}%"
    assert fmt_value(274.0, "jours") == f"274{NBSP}jours"
    assert fmt_value(1.0, "jours") == f"1{NBSP}jour"
    assert fmt_value(None, "%") == "—" and fmt_value(float("nan"), "%") == "—"
    assert fmt_target(60.0, "%", "gte") == f"≥{NBSP}60{NBSP}%"
    assert fmt_target(33.3, "%", "gte") == f"≥{NBSP}33,3{NBSP}%"
    assert fmt_target(183.0, "jours", "lte") == f"≤{NBSP}183{NBSP}jours"
    assert fmt_target(None, "%", "gte") == "sans cible"
    assert quarter_label(date(2024, 12, 31)) == "T4 2024" and quarter_label(date(2023, 3, 31)) == "T1 2023"
    assert fmt_published_at("2025-01-15T06:30:00+00:00") == "15 janvier 2025 à 06:30 UTC"
    assert fmt_published_at("2025-01-15") == "15 janvier 2025"
    assert fmt_published_at(None) == "—" and fmt_published_at("hier") == "hier"


def test_gap_to_target_boundaries():
    assert gap_to_target(9, 17, 60.0) == 2        # 10/17 = 58,8 % < 60 <= 11/17 = 64,7 %
    assert gap_to_target(7, 9, 80.0) == 1         # 8/9 = 88,9 %
    assert gap_to_target(18, 23, 90.0) == 3       # 20/23 = 86,96 %, 21/23 = 91,3 %
    assert gap_to_target(3, 5, 60.0) == 0         # reached exactly
    # Regression: 0.7 * 10 = 7.000000000000001 and 0.57 * 100 = 56.99999999999999 in floating point.
    assert gap_to_target(7, 10, 70.0) == 0 and gap_to_target(6, 10, 70.0) == 1
    assert gap_to_target(57, 100, 57.0) == 0 and gap_to_target(56, 100, 57.0) == 1
    assert gap_to_target(0, 3, 1.0) == 1          # 1/3 = 33 % >= 1 %
    assert gap_to_target(18, 15, 70.0) == 0       # above 100 % (ESMS-MSS)
    assert gap_to_target(11, 0, 70.0) is None     # denominator 0: no_data, nothing to compute
    assert gap_to_target(None, 10, 70.0) is None
    assert gap_to_target(5, 10, None) is None     # no target
    # lte: EP-5.2 in days (no denominator) and a rate with an upper bound.
    assert gap_to_target(274, None, 183.0, "lte") == 91
    assert gap_to_target(183, None, 183.0, "lte") == 0
    assert gap_to_target(184, None, 183.0, "lte") == 1
    assert gap_to_target(5, 10, 40.0, "lte") == 1  # 4/10 = 40 % <= 40
    assert gap_to_target(5, 10, 45.0, "lte") == 1  # 4/10 = 40 % <= 45, 4,5 is not an integer count
    assert gap_to_target(4, 10, 40.0, "lte") == 0


def test_agreement_of_the_numerator_noun():
    assert agree("dossiers actualisés", 1) == "dossier actualisé"
    assert agree("DUI actifs avec un projet personnalisé", 1) == "DUI actif avec un projet personnalisé"
    assert agree("jours d'ancienneté de l'annuaire", 1) == "jour d'ancienneté de l'annuaire"
    assert agree("membres ayant publié sur le réseau", 1) == "membre ayant publié sur le réseau"
    assert agree("dossiers actualisés", 2) == "dossiers actualisés"


def test_competition_ranks_share_ties_and_skip_no_data():
    ranks = competition_ranks({"a": 52.94, "b": 60.0, "c": 60.0, "d": None, "e": 10.0})
    assert ranks == {"b": Rank(1, 4, True), "c": Rank(1, 4, True), "a": Rank(3, 4, False), "e": Rank(4, 4, False)}
    lte = competition_ranks({"a": 274.0, "b": 90.0, "c": 183.0}, "lte")
    assert [lte[k].rank for k in "abc"] == [3, 1, 2]
    assert fmt_rank(Rank(3, 40, False), "dac") == "3e sur 40 DAC"
    assert fmt_rank(Rank(1, 1500, True), "esms") == f"1er ex aequo sur 1{NNBSP}500 ESMS"
    assert fmt_rank(None, "cpts") == "non classé (pas de données)"


def test_chart_draws_values_target_steps_and_last_label():
    points = [{"quarter": Q2, "value": 40.0, "target": None, "status": "final"},
              {"quarter": Q3, "value": None, "target": 50.0, "status": "no_data"},
              {"quarter": Q4, "value": 75.0, "target": 70.0, "status": "provisional"}]
    svg = svg_chart(points, "%", "EP-6.1 : évolution", "c1")
    values = re.search(r'<path class="values" d="([^"]+)"', svg).group(1)
    assert values.count("M") == 2 and "L" not in values  # the quarter without value breaks the line
    target = re.search(r'<path class="target" d="([^"]+)"', svg).group(1)
    # a step line from Q3 (no target at Q2): 50 over the Q3 band, a vertical join, 70 over the Q4 band
    steps = re.fullmatch(r"M([\d.]+),([\d.]+) H([\d.]+) V([\d.]+) H([\d.]+)", target)
    assert steps, target
    m_x, y50, join_x, y70, end_x = map(float, steps.groups())
    assert m_x < join_x < end_x and y70 < y50  # higher target, higher on the chart
    assert "<title" in svg and 'role="img"' in svg and "T4 2024" in svg and f"75,0{NBSP}%" in svg
    assert svg.count('<circle class="point provisional"') == 1 and svg.count('<circle class="point"') == 1
    assert "http" not in svg
    assert nice_ceiling(120.0) == (125.0, 25.0) and nice_ceiling(100.0) == (100.0, 20.0)


# ---------------------------------------------------------------------------------------------------------
# The written site
# ---------------------------------------------------------------------------------------------------------

def test_written_files(site):
    out, files, _ = site
    expected = {"index.html", "region.html", "dashboard.css", "dashboard.js"} | {
        f"structures/{t}-{f}.html" for f, t, *_ in STRUCTURES}
    assert {p.relative_to(out).as_posix() for p in files} == expected
    assert all(p.exists() for p in files)


def test_every_link_target_exists(site):
    out, _, pages = site
    checked = 0
    for name, page in pages.items():
        for href in page.links:
            parts = urlsplit(href)
            assert not parts.scheme and not parts.netloc, f"{name}: non-relative link {href}"
            target = (out / name).parent / unquote(parts.path) if parts.path else out / name
            assert target.resolve().is_file(), f"{name}: {href} points to nothing"
            if parts.fragment:
                rel = target.resolve().relative_to(out.resolve()).as_posix()
                assert parts.fragment in pages[rel].ids, f"{name}: {href} has no anchor {parts.fragment}"
            checked += 1
    assert checked > 50


def test_no_external_url_anywhere(site):
    _, files, _ = site
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, p
        assert "url(" not in text and "@import" not in text, p  # no font or image fetched by the stylesheet


def test_pages_are_french_html5(site):
    out, _, _ = site
    for p in out.rglob("*.html"):
        text = p.read_text(encoding="utf-8")
        assert text.startswith("<!doctype html>\n<html lang=\"fr\">") and '<meta charset="utf-8">' in text, p
        assert text.count("dashboard.css") == 1, p


def test_every_chart_has_an_svg_with_a_value_path_and_a_table(site):
    out, _, pages = site
    expected_charts = {
        "region.html": 6,                          # region rows: EP-3.2 x 4 subgroups, EP-5.2, EP-6.1
        f"structures/dac-{DAC_A}.html": 3,         # EP-6.1, EP-6.2, EP-INS
        f"structures/dac-{DAC_D}.html": 1,         # EP-6.1, no_data at every quarter: still a chart
        f"structures/esms-{ESMS_A}.html": 1,
    }
    for name, n in expected_charts.items():
        charts = [c for c in pages[name].charts if c["class"] == "chart"]
        assert len(charts) == n, name
        for c in charts:
            assert c["title"] and c["aria"], name
            assert any(cls == "values" and d.startswith("M") for cls, d in c["paths"]), name
        html_text = (out / name).read_text(encoding="utf-8")
        assert html_text.count("</svg></figure><table class=\"history\">") == n, name
    assert pages["region.html"].text.count("Données du graphique") == 6


def text_of(site, name: str) -> str:
    return site[2][name].text


def test_ranks_on_structure_pages(site):
    assert "3e sur 3 DAC" in text_of(site, f"structures/dac-{DAC_A}.html")           # EP-6.1, 52,94 %
    assert "1er ex aequo sur 3 DAC" in text_of(site, f"structures/dac-{DAC_B}.html")  # 60 % like C
    assert "1er ex aequo sur 3 DAC" in text_of(site, f"structures/dac-{DAC_C}.html")
    assert "non classé (pas de données)" in text_of(site, f"structures/dac-{DAC_D}.html")
    assert "2e sur 2 DAC" in text_of(site, f"structures/dac-{DAC_A}.html")           # EP-6.2 77,78 < 100 and EP-INS
    assert "2e sur 2 CPTS" in text_of(site, f"structures/cpts-{CPTS_B}.html")
    assert "1er sur 1 ESMS" in text_of(site, f"structures/esms-{ESMS_A}.html")       # B is no_data: not ranked
    assert "non classé (pas de données)" in text_of(site, f"structures/esms-{ESMS_B}.html")


def test_gap_sentences_on_pages(site):
    a = text_of(site, f"structures/dac-{DAC_A}.html")
    assert "2 dossiers actualisés de plus" in a
    assert "1 dossier primo-évalué à temps de plus" in a
    assert "objectif atteint" in text_of(site, f"structures/dac-{DAC_B}.html")       # 3/5 = 60 % exactly
    assert "non calculable (pas de données)" in text_of(site, f"structures/dac-{DAC_D}.html")
    assert "1 membre ayant publié sur le réseau de plus" in text_of(site, f"structures/cpts-{CPTS_B}.html")
    assert "non calculable (pas de données)" in text_of(site, f"structures/esms-{ESMS_B}.html")  # 11 / 0
    region = text_of(site, "region.html")
    assert "91 jours d'ancienneté de l'annuaire de moins" in region
    assert "3 établissements conformes au critère qualité du ROR de plus" in region


def test_region_page_content(site):
    out, _, pages = site
    region = pages["region.html"].text
    assert f"274{NBSP}jours" in region and f"≤{NBSP}183{NBSP}jours" in region
    assert f"78,3{NBSP}%" in region and "18 / 23" in region
    for label in ("Sanitaire : MCO, SSR, PSY", "Sanitaire : HAD, USLD", "Médico-social", "Offre de ville"):
        assert region.count(label) >= 2, label  # summary line + chart heading
    summary = re.search(r'<table class="summary">(.*?)</table>', (out / "region.html").read_text(encoding="utf-8"),
                        re.DOTALL).group(1)
    assert summary.count("<tr>") == 1 + 4 + 1 + 1  # header, EP-3.2 x 4, EP-5.2, EP-6.1
    assert "atteint" in region and "non atteint" in region and "sans cible" in region
    assert "provisoire" in text_of(site, f"structures/dac-{DAC_A}.html") and "définitif" in region
    assert "GED-ARS84/2024/Tableau_de_bord_T4_2024.xlsx" in region and "31/12/2024" in region
    assert "Tableau de bord trimestriel du DAC" in region
    # data quality of the run: figures, one line per warning, the overrides, the quarantine summary
    assert f"1{NNBSP}234" in region and f"143{NNBSP}609" in region
    page = (out / "region.html").read_text(encoding="utf-8")
    assert page.count("<li><code>jump_share</code>") == 1 and page.count("<li><code>volume</code>") == 2
    assert "livraison partielle connue" in region and "a.martin" in region and "bad_finess" in region
    assert "15 janvier 2025 à 06:30 UTC" in region and "0.1.0+abc1234" in region


def test_index_lists_every_structure_with_search(site):
    out, _, pages = site
    index = pages["index.html"]
    for finess, scope_type, name, *_ in STRUCTURES:
        assert f"structures/{scope_type}-{finess}.html" in index.links
        assert finess in index.text and name in index.text
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'data-search="dac beta 010000029"' in page  # accents removed, as the JS normalises the query
    assert '<form class="search" id="search" role="search" hidden>' in page  # shown by the script only
    assert "region.html" in index.links and "Auvergne-Rhône-Alpes" in index.text
    # the headline at T4: targets met among the indicators with a target (EP-INS has none; no_data is not met)
    expected = {DAC_A: "0 sur 2", DAC_B: "2 sur 2", DAC_C: "1 sur 1", DAC_D: "0 sur 1", CPTS_A: "1 sur 1",
                CPTS_B: "0 sur 1", ESMS_A: "1 sur 1", ESMS_B: "0 sur 1"}
    for finess, scope_type, name, *_ in STRUCTURES:
        line = re.search(rf'<tr data-search="[^"]* {finess}">(.*?)</tr>', page).group(1)
        assert f"cibles atteintes : {expected[finess]}</td>" in line, name


def test_longer_measure_period_is_shown(site):
    esms = text_of(site, f"structures/esms-{ESMS_A}.html")
    assert "Période mesurée" in esms and "du 01/07/2024 au 31/12/2024" in esms and f"120,0{NBSP}%" in esms
    assert "Période mesurée" not in text_of(site, f"structures/dac-{DAC_A}.html")


def test_an_empty_publication_still_writes_the_site(tmp_path):
    db = build_db(tmp_path / "w.duckdb")
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM publish.indicator_results")
        con.execute("DROP TABLE publish.quarantine_summary")
    files = write_dashboard(db, tmp_path / "out", INFO)
    assert len([p for p in files if p.suffix == ".html"]) == 2 + len(STRUCTURES)
    region = Page((tmp_path / "out" / "region.html").read_text(encoding="utf-8")).text
    assert "Aucun indicateur régional publié." in region and "Aucune ligne en quarantaine." in region
    dac = Page((tmp_path / "out" / "structures" / f"dac-{DAC_A}.html").read_text(encoding="utf-8")).text
    assert "Aucun résultat publié pour cette structure" in dac


def test_missing_info_and_numerator_label_fallback(tmp_path):
    db = build_db(tmp_path / "w.duckdb", with_numerator_label=False)
    write_dashboard(db, tmp_path / "out", {})
    index = Page((tmp_path / "out" / "index.html").read_text(encoding="utf-8")).text
    assert "Région —" in index and "publié le —" in index
    dac_a = Page((tmp_path / "out" / "structures" / f"dac-{DAC_A}.html").read_text(encoding="utf-8")).text
    assert "2 unités au numérateur de plus" in dac_a
    region = Page((tmp_path / "out" / "region.html").read_text(encoding="utf-8")).text
    assert "Fichiers ingérés —" in region and "Aucun avertissement." in region


def test_seed_numerator_label_for_every_computed_indicator():
    lines = (REPO / "seeds" / "ref_indicator_catalogue.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    rows = [dict(zip(header, line.split(";"))) for line in lines[1:]]
    assert "numerator_label" in header and rows
    for r in rows:
        if r["computation"] == "computed":
            assert r["numerator_label"].strip(), r["indicator_id"]
            assert not r["numerator_label"][0].isupper() or r["numerator_label"].split(" ")[0].isupper()
        else:
            assert r["numerator_label"] == "", r["indicator_id"]


# ---------------------------------------------------------------------------------------------------------
# Size of a real region: ~40 DAC, ~80 CPTS, ~1,500 ESMS over 16 quarters
# ---------------------------------------------------------------------------------------------------------

def build_region_db(path: Path, n_dac: int = 40, n_cpts: int = 80, n_esms: int = 1500, n_quarters: int = 16) -> Path:
    """A publish DB the size of a region: 6 indicators per DAC, 3 per CPTS, 5 per ESMS, region rows, over
    ``n_quarters`` quarters; numbers drawn with hash() so that they vary (some denominators are 0: no_data)."""
    esms = [("ESMS-DUI-ACTIFS", 90.0), ("ESMS-DUI-PP", 90.0), ("ESMS-DUI-AGENDA", 90.0), ("ESMS-MSS", 70.0),
            ("ESMS-DMP", 70.0)]
    catalogue = CATALOGUE + [(i, f"label {i}", "ESMS Numérique", "computed", "%", "instruction_2024_15", "esms",
                              False, "model", "DUI actifs") for i, _ in esms if i != "ESMS-MSS"]
    indicators = ", ".join(f"('{t}', '{i}', {'NULL' if target is None else target})" for t, i, target in
                           [("dac", "EP-6.1", 60.0), ("dac", "EP-6.2", 80.0), ("dac", "EP-INS", None),
                            ("cpts", "EP-7.1", 40.0), ("cpts", "EP-INS", None)] + [("esms", i, t) for i, t in esms])
    con = duckdb.connect(str(path))
    con.execute(SCHEMA)
    con.executemany("INSERT INTO publish.indicator_catalogue VALUES (" + ", ".join(["?"] * 10) + ")", catalogue)
    con.executemany("INSERT INTO publish.indicator_targets VALUES (" + ", ".join(["?"] * 9) + ")", TARGETS)
    con.execute(f"""
        CREATE TEMP TABLE q AS SELECT (DATE '2021-04-01' + to_months(3 * i) - INTERVAL 1 DAY)::DATE AS d
        FROM range({n_quarters}) t(i);
        CREATE TEMP TABLE s AS
            SELECT 'dac' AS t, (100000000 + i)::VARCHAR AS f FROM range({n_dac}) r(i)
            UNION ALL SELECT 'cpts', (200000000 + i)::VARCHAR FROM range({n_cpts}) r(i)
            UNION ALL SELECT 'esms', (300000000 + i)::VARCHAR FROM range({n_esms}) r(i);
        CREATE TEMP TABLE ind AS SELECT * FROM (VALUES {indicators}) v(t, id, target);
        INSERT INTO publish.structures
            SELECT f, t, upper(t) || ' numéro ' || f, NULL, '000', 'catégorie', '01', '84', DATE '2024-12-31' FROM s;
        INSERT INTO publish.indicator_results
            SELECT id, 'label', CASE WHEN t = 'esms' THEN 'ESMS Numérique' ELSE 'E-parcours' END, t, f, NULL,
                   date_trunc('quarter', d)::DATE, d, num, den, CASE WHEN den > 0 THEN round(100.0 * num / den, 2) END,
                   target, CASE WHEN den > 0 AND target IS NOT NULL THEN 100.0 * num / den >= target END,
                   CASE WHEN den > 0 THEN 'final' ELSE 'no_data' END, 'note_2021_216', d, NULL, NULL, NULL
            FROM (SELECT *, hash(f, id, d) % 40 AS den, hash(d, f, id) % 41 AS raw FROM s JOIN ind USING (t), q),
                 LATERAL (SELECT least(raw, den) AS num);
        INSERT INTO publish.indicator_results
            SELECT indicator_id, label, programme, 'region', '84', NULL, period_start, period_end, sum(numerator),
                   sum(denominator), round(100.0 * sum(numerator) / sum(denominator), 2), any_value(target), NULL,
                   'final', 'note_2021_216', measure_date, NULL, NULL, NULL
            FROM publish.indicator_results WHERE scope_type IN ('dac', 'cpts') GROUP BY ALL;
    """)
    con.close()
    return path


@pytest.mark.slow
def test_a_region_sized_site_is_written_in_a_few_seconds(tmp_path):
    db = build_region_db(tmp_path / "region.duckdb")
    with duckdb.connect(str(db), read_only=True) as con:
        n_rows = con.execute("SELECT count(*) FROM publish.indicator_results").fetchone()[0]
    started = time.perf_counter()
    files = write_dashboard(db, tmp_path / "out", INFO)
    elapsed = time.perf_counter() - started
    pages = [p for p in files if p.suffix == ".html"]
    size = sum(p.stat().st_size for p in files)
    print(f"\nregion-sized dashboard: {len(pages)} pages from {n_rows} result rows in {elapsed:.2f} s, "
          f"{size / 1e6:.1f} MB")
    assert len(pages) == 2 + 40 + 80 + 1500
    assert elapsed < 20, f"writing {len(pages)} pages took {elapsed:.1f} s"
    esms = Page((tmp_path / "out" / "structures" / "esms-300000000.html").read_text(encoding="utf-8"))
    assert len([c for c in esms.charts if c["class"] == "chart"]) == 5
    assert re.search(r"(1er|\d+e)( ex aequo)? sur 1\u202f\d{3} ESMS", esms.text)
