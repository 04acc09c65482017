"""The documentation where people look, on the tiny region's publication (the shared ``tiny_run``):

- the analysts' ``warehouse.duckdb`` read by **DuckDB 1.4** (the oldest version the file is written for), in a
  separate virtualenv: every table and every column has a comment, and it is the description of the dbt yml;
- ``published/docs/index.html`` (the dbt docs site) and ``dictionnaire.html`` opened from ``file://`` in Debian's
  headless Chromium (tests/orchestration/browser.py): no console error, no request other than ``file:`` and
  ``data:``, the models and their French descriptions rendered; the dashboard's index page links to the dictionary.

The DuckDB 1.4 virtualenv is built once, in ``.venv-duckdb14/`` at the repository root (git-ignored), with ``uv``
when it is on the PATH, else ``python -m venv`` and pip; the test is skipped, saying why, when duckdb 1.4 cannot be
installed (no index reachable). The browser tests are skipped when /usr/bin/chromium is absent (`make browser-deps`).
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.settings import DBT_DIR
from dagster_project.transform.exposures import EXPOSURE, published_tables
from tests.orchestration.browser import CHROMIUM, chromium_recording_page

REPO = Path(__file__).resolve().parents[2]
VENV14 = REPO / ".venv-duckdb14"
DUCKDB14 = "duckdb==1.4.*"

pytestmark = pytest.mark.slow

READ_COMMENTS = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({
    "version": duckdb.__version__,
    "tables": con.execute("SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'publish'").fetchall(),
    "columns": con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() "
                           "WHERE schema_name = 'publish'").fetchall(),
}))
"""


def duckdb14_python() -> Path:
    """The interpreter of a virtualenv holding duckdb 1.4 (built on first use, then reused)."""
    python = VENV14 / "bin" / "python"
    probe = [str(python), "-c", "import duckdb, sys; sys.exit(not duckdb.__version__.startswith('1.4.'))"]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return python
    shutil.rmtree(VENV14, ignore_errors=True)
    uv = shutil.which("uv")
    if uv:
        steps = [[uv, "venv", "--quiet", "--python", sys.executable, str(VENV14)],
                 [uv, "pip", "install", "--quiet", "--python", str(python), DUCKDB14]]
    else:
        steps = [[sys.executable, "-m", "venv", str(VENV14)],
                 [str(python), "-m", "pip", "install", "--quiet", DUCKDB14]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            shutil.rmtree(VENV14, ignore_errors=True)
            pytest.skip(f"cannot build a virtualenv with {DUCKDB14} ({' '.join(step[:3])}…): "
                        f"{(done.stderr or done.stdout).strip().splitlines()[-1:]}")
    assert subprocess.run(probe, capture_output=True, check=False).returncode == 0, f"{python}: duckdb 1.4 not importable"
    return python


def yml_descriptions() -> dict[str, tuple[str, dict[str, str]]]:
    """{published table: (its yml description, {column: yml description})}, from the dbt manifest."""
    manifest = json.loads((DBT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    out = {}
    for uid in manifest["exposures"][EXPOSURE]["depends_on"]["nodes"]:
        node = manifest["nodes"][uid]
        out[node.get("alias") or node["name"]] = (
            node["description"], {c: v["description"] for c, v in node["columns"].items()})
    return out


def test_duckdb_1_4_finds_the_comment_of_every_published_table_and_column(tiny_run, tmp_path):
    paths, _, _ = tiny_run
    db = tmp_path / "warehouse.duckdb"  # a copy: the shared publication is never opened by another engine
    shutil.copy2(paths.published / "warehouse.duckdb", db)
    with duckdb.connect(str(db), read_only=True) as con:  # what DuckDB 2.0 sees, to compare
        n_columns = con.execute("SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'publish'").fetchone()[0]
    python = duckdb14_python()
    done = subprocess.run([str(python), "-c", READ_COMMENTS, str(db)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["version"].startswith("1.4.")
    yml = yml_descriptions()
    tables = dict(seen["tables"])
    assert set(tables) == set(published_tables())
    for table, comment in tables.items():
        assert comment and comment.strip(), f"{table}: no comment"
        assert comment == yml[table][0], f"{table}: the comment is not the yml description"
    assert len(seen["columns"]) == n_columns > 100
    for table, column, comment in seen["columns"]:
        assert comment and comment.strip(), f"{table}.{column}: no comment"
        assert comment == yml[table][1][column], f"{table}.{column}: the comment is not the yml description"


@pytest.fixture(scope="module")
def docs(tiny_run):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (run `make browser-deps`): "
                    "browser test of the published docs skipped")
    return tiny_run[0].published / "docs"


@pytest.fixture(scope="module")
def browser(docs):
    with chromium_recording_page() as page:
        page.viewport(1280, 900)
        yield page


def assert_clean(page, url: str) -> None:
    page.drain(1.0)
    assert page.console_errors() == [], url
    requests = page.requested_urls()
    assert requests, f"{url}: no request recorded (is the Network domain enabled?)"
    others = [r[:80] for r in requests if not r.startswith(("file://", "data:"))]
    assert others == [], f"{url} requested {others}"


@pytest.mark.browser
def test_the_dbt_docs_site_opens_from_file_and_shows_the_models(docs, browser):
    manifest = json.loads((DBT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    models = sorted(n["name"] for n in manifest["nodes"].values()
                    if n["resource_type"] == "model" and n["schema"] == "publish")
    url = (docs / "index.html").resolve().as_uri()
    browser.events.clear()
    assert not browser.open(url).get("errorText")
    browser.wait_for_text("Exposures", "eparcours")
    browser.evaluate("location.hash = '#!/model/model.eparcours.publish_indicator_results'")
    browser.wait_for_text("publish_indicator_results", "Les résultats publiés", "rank_text")
    tree = browser.evaluate("document.body.innerText.replace(/\\s+/g, '')")
    assert [m for m in models if m not in tree] == [], "a publish model missing from the tree of the site"
    assert_clean(browser, url)


@pytest.mark.browser
def test_the_dictionary_lists_every_table_and_column_of_the_analysts_file(tiny_run, docs, browser):
    with duckdb.connect(str(tiny_run[0].published / "warehouse.duckdb"), read_only=True) as con:
        expected = {}
        for table, column in con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                                         "WHERE schema_name = 'publish' ORDER BY table_name, column_index").fetchall():
            expected.setdefault(table, []).append(column)
    url = (docs / "dictionnaire.html").resolve().as_uri()
    browser.events.clear()
    assert not browser.open(url).get("errorText")
    seen = browser.evaluate("""Object.fromEntries(Array.from(document.querySelectorAll('h2[id]')).map(h => {
        let t = h.nextElementSibling; while (t && t.tagName !== 'TABLE') t = t.nextElementSibling;
        return [h.id, Array.from(t.querySelectorAll('tbody tr')).map(r => [r.cells[0].innerText, r.cells[2].innerText])];
    }))""")
    assert {t: [c for c, _ in cols] for t, cols in seen.items()} == expected
    assert all(d.strip() for cols in seen.values() for _, d in cols), "a column without description"
    assert browser.evaluate("document.documentElement.lang") == "fr"
    assert_clean(browser, url)


@pytest.mark.browser
def test_the_dashboard_links_to_the_dictionary(tiny_run, docs, browser):
    index = tiny_run[0].published / "dashboard" / "index.html"
    browser.open(index.resolve().as_uri())
    links = browser.evaluate("Array.from(document.querySelectorAll('a[href$=\"dictionnaire.html\"]')).map(a => a.href)")
    assert len(links) == 1
    assert Path(links[0].removeprefix("file://")).resolve() == (docs / "dictionnaire.html").resolve()
    manifest = json.loads((tiny_run[0].published / "manifest.json").read_text(encoding="utf-8"))
    assert {"docs/index.html", "docs/dictionnaire.html", "docs/dictionnaire.csv"} <= set(manifest["files"])
