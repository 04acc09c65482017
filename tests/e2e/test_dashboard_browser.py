"""The quarterly dashboard in a real browser: the tiny region's publication (the shared ``tiny_run``) written
with ``write_dashboard`` and opened from ``file://`` in Debian's headless Chromium over the DevTools protocol
(tests/orchestration/browser.py).

Every page is reached by following the links from index.html (so every link is navigated once); on each page
no console error, no uncaught exception and no request other than ``file://``; every chart is drawn (its
screenshot, decoded with Pillow, is not a single colour and shows the colour of the value line); the search
box filters; the pages read without JavaScript and print without the navigation.

The screenshots of docs/dashboard.md (docs/img/dashboard_{region,dac,esms}.png, 1280 px wide) come from this
test: written there when missing or with EPARCOURS_UPDATE_SCREENSHOTS=1, else under the test's temporary
folder. Skipped only when /usr/bin/chromium is absent (`make browser-deps`).
"""
import io
import json
import os
import unicodedata
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import pytest

from dagster_project.publication.dashboard import write_dashboard
from tests.orchestration.browser import CHROMIUM, chromium_recording_page

REPO = Path(__file__).resolve().parents[2]
DOCS_IMG = REPO / "docs" / "img"
VALUE_RGB = (0x1F, 0x4E, 0x9C)  # stroke and fill of the value line and points (dashboard.css --accent)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGE_FACTS = """(() => {
  const charts = Array.from(document.querySelectorAll('svg.chart')).map(svg => {
    const r = svg.getBoundingClientRect();
    const values = svg.querySelector('path.values');
    return {id: svg.id, x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height,
            has_values: svg.querySelectorAll('circle.point:not(.key)').length > 0,
            values_d: values ? values.getAttribute('d') : null,
            title: (svg.querySelector('title') || {}).textContent || ''};
  });
  return {title: document.title, lang: document.documentElement.lang,
          links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
          ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
          figures: document.querySelectorAll('figure.chart').length,
          nodata: document.querySelectorAll('ul.nodata li').length,
          tables_after_charts: Array.from(document.querySelectorAll('figure.chart'))
              .filter(f => f.nextElementSibling && f.nextElementSibling.tagName === 'TABLE').length,
          charts};
})()"""


def norm(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def run_info(paths, summary) -> dict:
    """What the publication will pass: the manifest's date and code version, the run's ingestion counts."""
    manifest = json.loads((paths.published / "manifest.json").read_text(encoding="utf-8"))
    regions = dict(line.split(";", 1) for line in
                   (REPO / "seeds" / "ref_regions.csv").read_text(encoding="utf-8").splitlines()[1:])
    with duckdb.connect(str(paths.published / "warehouse.duckdb"), read_only=True) as con:
        code = con.execute("SELECT any_value(scope_id) FROM publish.indicator_results "
                           "WHERE scope_type = 'region'").fetchone()[0]
    files = summary.files
    return {
        "published_at": manifest["published_at"], "code_version": manifest["code_version"],
        "region_code": code, "region_name": regions.get(code),
        "quality": {"files_ingested": sum(f["status"] == "loaded" for f in files),
                    "files_refused": sum(f["status"] == "refused" for f in files),
                    "rows_loaded": sum(f["rows_loaded"] or 0 for f in files),
                    "rows_quarantined": sum(f["rows_rejected"] or 0 for f in files),
                    "values_flagged": sum(f["values_flagged"] or 0 for f in files),
                    "warnings": [], "overrides": []},
    }


@pytest.fixture(scope="module")
def site(tiny_run, tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (run `make browser-deps`): "
                    "browser test of the dashboard skipped")
    paths, _, summary = tiny_run
    out = tmp_path_factory.mktemp("dashboard") / "dashboard"
    files = write_dashboard(paths.published / "warehouse.duckdb", out, run_info(paths, summary))
    with duckdb.connect(str(paths.published / "warehouse.duckdb"), read_only=True) as con:
        structures = con.execute("SELECT scope_type, finess, name FROM publish.structures").fetchall()
    return out, files, structures


@pytest.fixture(scope="module")
def browser(site):
    with chromium_recording_page() as page:
        page.viewport(1280, 900)
        yield page


@pytest.fixture(scope="module")
def crawl(site, browser):
    """Follow every link from index.html; for each page reached: its facts, console errors, requests, charts
    (with the PNG of each chart)."""
    out, _, _ = site
    start = (out / "index.html").resolve().as_uri()
    queue, seen, pages = [start], {start}, {}
    while queue:
        url = queue.pop(0)
        browser.events.clear()
        result = browser.open(url)
        assert not result.get("errorText"), f"{url}: {result.get('errorText')}"
        facts = browser.evaluate(PAGE_FACTS)
        browser.drain()
        facts["errors"] = browser.console_errors()
        facts["requests"] = browser.requested_urls()
        facts["pngs"] = {c["id"]: browser.screenshot_clip(c["x"], c["y"], c["width"], c["height"])
                         for c in facts["charts"]}
        pages[url] = facts
        for link in facts["links"]:
            target = link.split("#", 1)[0]
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return pages


def test_every_written_page_is_reached_by_links(site, crawl):
    _, files, _ = site
    written = {p.resolve().as_uri() for p in files if p.suffix == ".html"}
    assert set(crawl) == written
    assert all(f["lang"] == "fr" and f["title"] for f in crawl.values())


def test_no_console_error_and_no_request_other_than_file(crawl):
    for url, facts in crawl.items():
        assert facts["errors"] == [], f"{url}: {facts['errors']}"
        assert facts["requests"], f"{url}: no request recorded (is the Network domain enabled?)"
        others = [r for r in facts["requests"] if not r.startswith("file://")]
        assert others == [], f"{url} requested {others}"


def test_every_link_navigates_to_an_existing_page_and_anchor(crawl):
    for url, facts in crawl.items():
        for link in facts["links"]:
            parts = urlsplit(link)
            assert parts.scheme == "file", f"{url}: {link}"
            assert Path(unquote(parts.path)).is_file(), f"{url}: {link}"
            target = link.split("#", 1)[0]
            assert target in crawl, f"{url}: {link} was not opened"
            if parts.fragment:
                assert parts.fragment in crawl[target]["ids"], f"{url}: {link} has no anchor there"


def test_every_chart_is_drawn(tiny_run, crawl):
    from PIL import Image

    with duckdb.connect(str(tiny_run[0].published / "warehouse.duckdb"), read_only=True) as con:
        # one chart per series (scope x computed indicator x subgroup) with a value at some quarter; a series
        # without any value gets one line under « Sans donnée sur la période » instead
        expected_charts, expected_no_data = con.execute("""
            SELECT count(*) FILTER (WHERE n_values > 0), count(*) FILTER (WHERE n_values = 0) FROM (
                SELECT r.scope_type, r.scope_id, r.indicator_id, r.subgroup, count(r.value) AS n_values
                FROM publish.indicator_results r JOIN publish.indicator_catalogue c USING (indicator_id)
                WHERE c.computation = 'computed' GROUP BY ALL)""").fetchone()

    n_charts = n_no_data = 0
    for url, facts in crawl.items():
        assert len(facts["charts"]) == facts["figures"] == facts["tables_after_charts"], url
        for chart in facts["charts"]:
            assert chart["width"] > 300 and chart["height"] > 100, (url, chart["id"])
            assert chart["title"] and chart["values_d"] and chart["values_d"].startswith("M"), (url, chart["id"])
            image = Image.open(io.BytesIO(facts["pngs"][chart["id"]])).convert("RGB")
            colours = image.getcolors(maxcolors=1 << 20)
            assert colours is not None and len(colours) > 1, f"{url} {chart['id']}: blank chart"
            assert chart["has_values"], f"{url} {chart['id']}: a chart without any value"
            assert any(rgb == VALUE_RGB for _, rgb in colours), f"{url} {chart['id']}: no value drawn"
            n_charts += 1
        n_no_data += facts["nodata"]
    region = next(f for u, f in crawl.items() if u.endswith("/region.html"))
    assert len(region["charts"]) >= 14  # EP-3.2 x 4 subgroups, EP-4.2, EP-5.2, EP-6.x, EP-7.x, EP-INS
    assert (n_charts, n_no_data) == (expected_charts, expected_no_data)


def test_fixture_has_the_columns_of_the_published_file(tiny_run):
    """tests/publication/publish_fixture.py writes the tables of schema publish by hand: same columns as the
    dbt models wrote in a real publication, so the renderers' tests read what the renderers will read."""
    from tests.publication.publish_fixture import COLUMNS

    with duckdb.connect(str(tiny_run[0].published / "warehouse.duckdb"), read_only=True) as con:
        for table, columns in COLUMNS.items():
            real = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'publish' "
                "AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()]
            assert real == [c for c, _ in columns], table


def visible_rows(browser) -> int:
    return browser.evaluate("Array.from(document.querySelectorAll('table.structures tbody tr'))"
                            ".filter(r => r.offsetParent !== null).length")


def test_search_box_filters_by_name_or_finess(site, browser):
    out, _, structures = site
    browser.open((out / "index.html").resolve().as_uri())
    assert browser.evaluate("document.getElementById('search').hidden") is False
    assert visible_rows(browser) == len(structures)

    def search(text: str) -> int:
        browser.evaluate("(() => { const b = document.getElementById('search-box'); b.value = ''; "
                         "b.dispatchEvent(new Event('input')); b.focus(); })()")
        if text:
            browser.send("Input.insertText", text=text)  # typed as a user would: one input event
        return visible_rows(browser)

    def expected(query: str) -> int:  # what the box must keep: name or FINESS contains the query
        return sum(norm(query) in norm(f"{name} {finess}") for _, finess, name in structures)

    # « médico » matches « MEDICO » (accents and case ignored)
    assert expected("médico") > 0 and search("médico") == expected("médico")
    finess = min(f for _, f, _ in structures)
    assert expected(finess) == 1 and search(finess) == 1
    prefix = Counter(f[:2] for _, f, _ in structures).most_common(1)[0][0]  # a département: several hits
    assert search(prefix) == expected(prefix) > 1
    assert search("zzz introuvable") == 0
    assert search("") == len(structures)


def test_pages_read_without_javascript_and_print_without_navigation(site, browser):
    out, _, structures = site
    browser.send("Emulation.setScriptExecutionDisabled", value=True)
    try:
        browser.open((out / "index.html").resolve().as_uri())
        assert visible_rows(browser) == len(structures)  # the full list, the search box stays hidden
        assert browser.evaluate("document.getElementById('search').offsetParent === null") is True
    finally:
        browser.send("Emulation.setScriptExecutionDisabled", value=False)
    browser.open((out / "region.html").resolve().as_uri())
    browser.send("Emulation.setEmulatedMedia", media="print")
    try:
        assert browser.evaluate("getComputedStyle(document.querySelector('header.site')).display") == "none"
        assert browser.evaluate("document.querySelectorAll('svg.chart').length") > 0
    finally:
        browser.send("Emulation.setEmulatedMedia", media="")


def shots_dir(tmp_path: Path) -> Path:
    wanted = ("dashboard_region.png", "dashboard_dac.png", "dashboard_esms.png")
    if os.environ.get("EPARCOURS_UPDATE_SCREENSHOTS") == "1" or not all((DOCS_IMG / n).exists() for n in wanted):
        return DOCS_IMG
    return tmp_path


def save_small_png(png: bytes, path: Path) -> Path:
    """Palette PNG (256 colours): a screenshot of a page with text and thin lines stays legible and small."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path


def showcase(db: Path, scope_type: str) -> str:
    """The structure of that type with the most values at the last quarter (ties: smallest FINESS)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("""
            SELECT scope_id FROM publish.indicator_results
            WHERE scope_type = ? AND measure_date = (SELECT max(measure_date) FROM publish.indicator_results)
            GROUP BY scope_id ORDER BY count(value) DESC, scope_id LIMIT 1""", [scope_type]).fetchone()[0]


def test_screenshots_for_the_docs(site, tiny_run, browser, tmp_path):
    from PIL import Image

    out, _, _ = site
    db = tiny_run[0].published / "warehouse.duckdb"
    folder = shots_dir(tmp_path)
    for name, rel in (("dashboard_region.png", "region.html"),
                      ("dashboard_dac.png", f"structures/dac-{showcase(db, 'dac')}.html"),
                      ("dashboard_esms.png", f"structures/esms-{showcase(db, 'esms')}.html")):
        browser.open((out / rel).resolve().as_uri())
        height = min(browser.evaluate("document.documentElement.scrollHeight"), 1500)
        path = save_small_png(browser.screenshot_clip(0, 0, 1280, height), folder / name)
        with Image.open(path) as image:
            assert image.size == (1280, height)
        assert path.stat().st_size < 400_000, f"{path}: {path.stat().st_size} bytes"
