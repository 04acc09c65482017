"""The quarterly dashboard (dagster_project/publication/dashboard/) on a tiny analysts' file (publish_fixture.py:
four DAC, two CPTS, two ESMS and the region over three quarters, the French texts written as the dbt models
write them). The pages must print the published texts as they are, labels rather than codes, and give an
indicator without any value one line instead of a chart. No browser (tests/e2e/test_dashboard_browser.py opens
the pages in Chromium).
"""
import hashlib
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import pytest

from dagster_project.publication.dashboard import chart, write_dashboard
from tests.publication.publish_fixture import (
    CPTS_A,
    CPTS_B,
    DAC_A,
    DAC_B,
    DAC_C,
    DAC_D,
    ESMS_A,
    ESMS_B,
    STRUCTURES,
    create_publish,
    dashboard_tables,
)

REPO = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"

INFO = {
    "published_at": "2025-01-15T06:30:00+00:00", "code_version": "0.1.0+abc1234", "region_code": "84",
    "region_name": "Auvergne-Rhône-Alpes",
    "quality": {"files_ingested": 1234, "files_refused": 1, "rows_loaded": 143609, "rows_quarantined": 7,
                "values_flagged": 2,
                "warnings": [{"id": "published.indicator_results.jump_share", "table": "indicator_results",
                              "means": "A structure moved by more than 30 points", "observed": "3 unexpected"},
                             {"id": "dbt.coord_dossiers.volume", "table": "coord_dossiers",
                              "means": "The month is incomplete", "observed": {"rows": -35}}],
                "overrides": [{"id": "volume", "reason": "livraison partielle connue", "by": "a.martin",
                               "at": "2025-01-14"}]},
}


class Page(HTMLParser):
    """What the tests read in a written page: links, ids, charts, the text, and the text outside <details>."""

    def __init__(self, text: str):
        super().__init__()
        self.links, self.ids, self.charts, self.text_parts, self.outside_details = [], set(), [], [], []
        self._svg, self._details = None, 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("a", "link") and "href" in a:
            self.links.append(a["href"])
        if tag == "script" and "src" in a:
            self.links.append(a["src"])
        if tag == "details":
            self._details += 1
        if tag == "svg":
            self._svg = {"class": a.get("class"), "aria": a.get("aria-labelledby"), "paths": [], "title": False}
            self.charts.append(self._svg)
        if tag == "path" and self._svg is not None:
            self._svg["paths"].append((a.get("class"), a.get("d", "")))

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None
        if tag == "details":
            self._details -= 1

    def handle_data(self, data):
        if self._svg is not None and self.lasttag == "title":
            self._svg["title"] = True
        self.text_parts.append(data)
        if not self._details:
            self.outside_details.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"[ \t\r\n]+", " ", " ".join(self.text_parts))  # keeps the no-break spaces

    @property
    def text_outside_details(self) -> str:
        return re.sub(r"[ \t\r\n]+", " ", " ".join(self.outside_details))


def write_site(root: Path, tables=None, info=INFO):
    db = create_publish(root / "warehouse.duckdb", tables or dashboard_tables())
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    files = write_dashboard(db, root / "dashboard", info)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before, "the analysts' file must never be written"
    pages = {p.relative_to(root / "dashboard").as_posix(): Page(p.read_text(encoding="utf-8"))
             for p in files if p.suffix == ".html"}
    return root / "dashboard", files, pages


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return write_site(tmp_path_factory.mktemp("dashboard"))


def text_of(site, name: str) -> str:
    return site[2][name].text


def dac(finess: str) -> str:
    return f"structures/dac-{finess}.html"


# ---------------------------------------------------------------------------------------------------------
# The chart's coordinates (pure)
# ---------------------------------------------------------------------------------------------------------

def point(quarter, value, target, provisional=False):
    return chart.Point(quarter=quarter, year=int(quarter[-4:]), value=value, target=target,
                       provisional=provisional, value_text=None if value is None else f"{value} (texte publié)")


def test_chart_geometry_breaks_lines_and_steps_the_target():
    g = chart.geometry([point("T1 2024", 40.0, None), point("T2 2024", None, 50.0),
                        point("T3 2024", 60.0, 50.0, provisional=True), point("T4 2024", 75.0, 70.0)], True)
    assert [len(run) for run in g["value_runs"]] == [1, 2]          # the quarter without value breaks the line
    assert [p[2] for p in g["value_runs"][1]] == [True, False]      # provisional point
    (run,) = g["target_runs"]                                       # no target at T1: the step starts at T2
    (x0, x1, y50), (x1b, x2, y70) = run
    assert x0 < x1 == x1b < x2 == g["right"] and y70 < y50          # joined where the tier changes, higher is up
    assert [t[2] for t in g["ticks"]] == [0, 20, 40, 60, 80, 100]   # a percentage axis goes to 100
    assert g["last"][2:] == ("75.0 (texte publié)", "T4 2024")      # the published text labels the last value
    assert [q[1] for q in g["quarters"]] == ["T1 2024", "T2 2024", "T3 2024", "T4 2024"]


def test_chart_geometry_beyond_100_and_many_quarters():
    quarters = [f"T{q} {y}" for y in (2022, 2023, 2024) for q in (1, 2, 3, 4)]
    g = chart.geometry([point(q, 120.0 if i == 11 else None, 70.0) for i, q in enumerate(quarters)], True)
    assert g["ticks"][-1][2] >= 120 and g["ticks"][-1][0] <= g["last"][1] + 6  # the axis holds 120 %
    assert [q[1] for q in g["quarters"]][:5] == ["T1", "T2", "T3", "T4", "T1"]
    assert [q[2] for q in g["quarters"] if q[2]] == [2022, 2023, 2024]      # each year once, below
    assert chart.geometry([point("T4 2024", None, None)], True)["last"] is None
    assert chart.nice_ceiling(120.0) == (125.0, 25.0) and chart.nice_ceiling(100.0) == (100.0, 20.0)


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


def test_pages_are_french_html5_and_escaped(site):
    out, _, pages = site
    for p in out.rglob("*.html"):
        text = p.read_text(encoding="utf-8")
        assert text.startswith("<!doctype html>\n<html lang=\"fr\">") and '<meta charset="utf-8">' in text, p
        assert text.count("dashboard.css") == 1, p
        assert "<Léman>" not in text, p  # autoescape: a name is text, never markup
    assert "CPTS du Lac <Léman> & Chablais" in pages[f"structures/cpts-{CPTS_A}.html"].text


def test_figures_are_the_published_texts(site):
    a = text_of(site, dac(DAC_A))
    # 1/16 = 6,25 %: the model's half-up « 6,3 % » (Python's own rounding of 6.25 would print 6,2)
    assert f"6,3{NBSP}%" in a and f"6,2{NBSP}%" not in a
    assert "1 / 16" in a and f"au moins 60{NBSP}%" in a
    assert "3e sur 3 DAC" in a and "9 dossiers actualisés de plus" in a
    # a rank the page could not count itself (two DAC in the file): printed as the table gives it
    assert "2e ex aequo sur 12 DAC" in a and "1 dossier primo-évalué à temps de plus" in a
    assert "1er ex aequo sur 3 DAC" in text_of(site, dac(DAC_B)) and "objectif atteint" in text_of(site, dac(DAC_B))
    assert "1 membre ayant publié sur le réseau de plus" in text_of(site, f"structures/cpts-{CPTS_B}.html")
    region = text_of(site, "region.html")
    assert f"274{NBSP}jours" in region and f"au plus 183{NBSP}jours" in region and "91 jours de moins" in region
    assert f"78,3{NBSP}%" in region and "18 / 23" in region
    assert "3 établissements conformes au critère qualité du ROR de plus" in region


def test_labels_not_codes(site):
    _, _, pages = site
    codes = ("SAN_MCO_SSR_PSY", "SAN_HAD_USLD", "MEDICO_SOCIAL", "VILLE ", "no_data", "provisional", "final ",
             "rejected", "bad_finess", "note_2021_216", "instruction_2024_15", "gte", "lte")
    for name, page in pages.items():
        for code in codes:
            assert code not in page.text, f"{name} shows the code {code!r}"
    region = pages["region.html"].text
    for label in ("Sanitaire : MCO (hors HAD et USLD), SSR, PSY", "Sanitaire : HAD et USLD", "Médico-social",
                  "Offre de ville"):
        assert region.count(label) >= 2, label  # summary line + chart heading
    assert "Note d'information DGOS/PF5/CNAM/2021/216 du 10 décembre 2021" in region
    assert "numéro FINESS invalide (9 caractères, clé de Luhn)" in region and "rejetée (ligne non chargée)" in region
    assert "provisoire" in text_of(site, dac(DAC_A)) and "définitif" in region and "sans donnée" in \
        text_of(site, dac(DAC_D))


def charts_of(site, name: str) -> list:
    return [c for c in site[2][name].charts if c["class"] == "chart"]


def test_every_chart_has_a_value_path_and_a_table(site):
    out, _, pages = site
    expected = {"region.html": 6,                      # EP-3.2 x 4 subgroups, EP-5.2, EP-6.1
                dac(DAC_A): 3,                         # EP-6.1, EP-6.2, EP-INS
                f"structures/cpts-{CPTS_A}.html": 1,   # EP-7.1; EP-INS has no value at any quarter
                f"structures/esms-{ESMS_A}.html": 1}
    for name, n in expected.items():
        charts = charts_of(site, name)
        assert len(charts) == n, name
        for c in charts:
            assert c["title"] and c["aria"], name
            assert any(cls == "values" and d.startswith("M") for cls, d in c["paths"]), name
        html_text = (out / name).read_text(encoding="utf-8")
        assert html_text.count("</svg></figure><table class=\"history\">") == n, name
    assert pages["region.html"].text.count("Données du graphique") == 6


def test_an_indicator_without_any_value_gets_one_line(site):
    _, _, pages = site
    cpts = pages[f"structures/cpts-{CPTS_A}.html"]
    assert ("Sans donnée sur la période : EP-INS (Dossiers de coordination avec une INS qualifiée) — sans donnée, "
            "0 / 0 au T4 2024") in cpts.text
    assert "ind-ep-ins" not in cpts.ids and "ind-ep-7-1" in cpts.ids  # no chart, no history for EP-INS
    assert cpts.text.count("EP-INS") == 1                              # nor a summary line
    for name in (dac(DAC_D), f"structures/esms-{ESMS_B}.html"):        # every indicator without value
        page = pages[name]
        assert charts_of(site, name) == [] and "Données du graphique" not in page.text, name
        assert "Aucun des indicateurs publiés pour cette structure n'a de valeur de T2 2024 à T4 2024" in page.text
        assert "Sans donnée sur la période : " in page.text and "Rang parmi" not in page.text, name
    assert "ESMS-MSS (Messages MSSanté rapportés aux DUI avec PP) — sans donnée, 11 / 0 au T4 2024" in \
        pages[f"structures/esms-{ESMS_B}.html"].text


def test_region_page(site):
    out, _, pages = site
    region = pages["region.html"]
    html_text = (out / "region.html").read_text(encoding="utf-8")
    summary = re.search(r'<table class="summary">(.*?)</table>', html_text, re.DOTALL).group(1)
    assert summary.count("<tr>") == 1 + 4 + 1 + 1  # header, EP-3.2 x 4, EP-5.2, EP-6.1
    # structures per attainment label at T4 (GROUP BY of the reader): EP-6.1 DAC: 4 = 2 atteinte, 1 non
    # atteinte, 1 non évaluable (D, 0/0)
    counts = re.search(r'<table class="counts">(.*?)</table>', html_text, re.DOTALL).group(1)
    head = re.findall(r'<th class="num">([^<]+)</th>', counts)
    assert head == ["Structures", "atteinte", "non atteinte", "non évaluable", "sans cible"]
    ep61 = re.search(r"EP-6\.1 <span.*?</tr>", counts).group(0)
    assert re.findall(r'<td class="num">([^<]+)</td>', ep61) == ["4", "2", "1", "1", "0"]
    mss = re.search(r"ESMS-MSS <span.*?</tr>", counts).group(0)
    assert re.findall(r'<td class="num">([^<]+)</td>', mss) == ["2", "1", "0", "1", "0"]
    # declaratives
    assert "GED-ARS84/2024/Tableau_de_bord_T4_2024.xlsx" in region.text and "31/12/2024" in region.text
    assert "Tableau de bord trimestriel du DAC" in region.text
    # the run's quality: counts in French, one French line per warning; the gate's English only in <details>
    assert f"1{NBSP}234" in region.text and f"143{NBSP}609" in region.text
    assert region.text.count("Contrôle non bloquant en échec") == 2
    assert region.text.count("Détail technique (en anglais)") == 2
    for english in ("A structure moved by more than 30 points", "The month is incomplete", "3 unexpected",
                    "jump_share", '"rows": -35'):
        assert english in region.text and english not in region.text_outside_details, english
    assert "Dérogation accordée par a.martin le 14 janvier 2025 : livraison partielle connue" in region.text
    assert "is not a valid FINESS number" not in region.text  # the quarantine's English reasons are left out
    assert "15 janvier 2025 à 06:30 UTC" in region.text and "0.1.0+abc1234" in region.text


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
    # the headline at T4: targets met among the indicators with a target in force (a no_data row is not met)
    expected = {DAC_A: "0 sur 2", DAC_B: "2 sur 2", DAC_C: "1 sur 1", DAC_D: "0 sur 1", CPTS_A: "1 sur 1",
                CPTS_B: "0 sur 1", ESMS_A: "1 sur 1", ESMS_B: "0 sur 1"}
    for finess, scope_type, name, *_ in STRUCTURES:
        line = re.search(rf'<tr data-search="[^"]* {finess}">(.*?)</tr>', page).group(1)
        assert f"cibles atteintes : {expected[finess]}</td>" in line, name


def test_longer_measure_period_is_shown(site):
    esms = text_of(site, f"structures/esms-{ESMS_A}.html")
    assert "Période mesurée" in esms and "du 01/07/2024 au 31/12/2024" in esms and f"120,0{NBSP}%" in esms
    assert "Période mesurée" not in text_of(site, dac(DAC_A))


def test_an_empty_publication_still_writes_the_site(tmp_path):
    tables = dashboard_tables()
    tables["indicator_results"] = []
    del tables["quarantine_summary"]
    _, files, pages = write_site(tmp_path, tables)
    assert len([p for p in files if p.suffix == ".html"]) == 2 + len(STRUCTURES)
    assert "Aucun indicateur régional publié." in pages["region.html"].text
    assert "Aucune ligne en quarantaine." in pages["region.html"].text
    assert "Aucun résultat publié pour cette structure" in pages[dac(DAC_A)].text


def test_missing_info(tmp_path):
    _, _, pages = write_site(tmp_path, info={})
    assert "Région —" in pages["index.html"].text and "publié le —" in pages["index.html"].text
    region = pages["region.html"].text
    assert "Fichiers ingérés —" in region and "Aucun avertissement." in region and "Aucune dérogation." in region
    assert "Région 84" not in region and "(84)" in region  # the code falls back on the region rows


def test_seed_numerator_label_for_every_computed_indicator():
    lines = (REPO / "seeds" / "ref_indicator_catalogue.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    rows = [dict(zip(header, line.split(";"))) for line in lines[1:]]
    assert "numerator_label" in header and rows
    for r in rows:
        if r["computation"] == "computed":
            assert r["numerator_label"].strip(), r["indicator_id"]
        else:
            assert r["numerator_label"] == "", r["indicator_id"]


# ---------------------------------------------------------------------------------------------------------
# Size of a real region: ~40 DAC, ~80 CPTS, ~1,500 ESMS over 16 quarters
# ---------------------------------------------------------------------------------------------------------

def build_region_db(path: Path, n_dac: int = 40, n_cpts: int = 80, n_esms: int = 1500, n_quarters: int = 16) -> Path:
    """An analysts' file the size of a region (6 indicators per DAC, 3 per CPTS, 5 per ESMS, region rows, over
    ``n_quarters`` quarters), numbers drawn with hash() (some denominators are 0: no_data); the texts are
    placeholders of the right shape, the size is what this is about."""
    esms = ["ESMS-DUI-ACTIFS", "ESMS-DUI-PP", "ESMS-DUI-AGENDA", "ESMS-MSS", "ESMS-DMP"]
    tables = dashboard_tables()
    catalogue = tables["indicator_catalogue"] + [
        {"indicator_id": i, "label": f"label {i}", "programme": "ESMS Numérique", "computation": "computed",
         "unit": "%", "numerator_label": "DUI actifs"} for i in esms if i != "ESMS-MSS"]
    create_publish(path, {"indicator_catalogue": catalogue, "structures": [], "indicator_results": [],
                          "quarantine_summary": tables["quarantine_summary"]})
    indicators = ", ".join(f"('{t}', '{i}', {'NULL' if target is None else target})" for t, i, target in
                           [("dac", "EP-6.1", 60.0), ("dac", "EP-6.2", 80.0), ("dac", "EP-INS", None),
                            ("cpts", "EP-7.1", 40.0), ("cpts", "EP-INS", None)] + [("esms", i, 70.0) for i in esms])
    con = duckdb.connect(str(path))
    con.execute(f"""
        CREATE TEMP TABLE q AS SELECT (DATE '2021-04-01' + to_months(3 * i) - INTERVAL 1 DAY)::DATE AS d
        FROM range({n_quarters}) t(i);
        CREATE TEMP TABLE s AS
            SELECT 'dac' AS t, (100000000 + i)::VARCHAR AS f FROM range({n_dac}) r(i)
            UNION ALL SELECT 'cpts', (200000000 + i)::VARCHAR FROM range({n_cpts}) r(i)
            UNION ALL SELECT 'esms', (300000000 + i)::VARCHAR FROM range({n_esms}) r(i);
        CREATE TEMP TABLE ind AS SELECT * FROM (VALUES {indicators}) v(t, id, target);
        INSERT INTO publish.structures BY NAME
            SELECT f AS finess, t AS scope_type, upper(t) || ' numéro ' || f AS name, 'catégorie' AS libcategetab,
                   '01' AS departement, upper(t) AS scope_label, DATE '2024-12-31' AS last_seen FROM s;
        INSERT INTO publish.indicator_results BY NAME
            SELECT id AS indicator_id, 'label' AS label,
                   CASE WHEN t = 'esms' THEN 'ESMS Numérique' ELSE 'E-parcours' END AS programme,
                   t AS scope_type, f AS scope_id, upper(t) AS scope_label, date_trunc('quarter', d)::DATE AS period_start,
                   d AS period_end, d AS measure_date, '%' AS unit, num AS numerator, den AS denominator,
                   CASE WHEN den > 0 THEN 100.0 * num / den END AS value,
                   CASE WHEN den > 0 THEN num || ',0 %' END AS value_text, num || ' / ' || den AS ratio_text,
                   target, CASE WHEN target IS NULL THEN 'sans cible' ELSE 'au moins ' || target || ' %' END AS target_text,
                   CASE WHEN den > 0 AND target IS NOT NULL THEN 100.0 * num / den >= target END AS target_met,
                   CASE WHEN den > 0 THEN 'final' ELSE 'no_data' END AS status,
                   CASE WHEN den > 0 THEN 'définitif' ELSE 'sans donnée' END AS status_label,
                   'atteinte' AS attainment_label, '3 dossiers de plus' AS gap_text, '2e sur 1 234 ESMS' AS rank_text,
                   'T' || quarter(d) || ' ' || year(d) AS quarter_label, 'du … au …' AS period_text
            FROM (SELECT *, hash(f, id, d) % 40 AS den, hash(d, f, id) % 41 AS raw FROM s JOIN ind USING (t), q),
                 LATERAL (SELECT least(raw, den) AS num);
    """)
    con.close()
    return path


@pytest.mark.slow
def test_a_region_sized_site_is_written_whole(tmp_path):
    """Every page of a region-sized publication (its time is measured by make bench, not asserted here: a timed
    test fails under load)."""
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
    esms = Page((tmp_path / "out" / "structures" / "esms-300000000.html").read_text(encoding="utf-8"))
    assert len([c for c in esms.charts if c["class"] == "chart"]) == 5
    assert "2e sur 1 234 ESMS" in esms.text
