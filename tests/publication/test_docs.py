"""The documentation of the publication (dagster_project/publication/docs.py), without a pipeline run: every published
table and column described in the dbt yml (the one source), the comments copied into the analysts' file, the data
dictionary and the dbt docs page. The same on a real publication, read by DuckDB 1.4 and opened in Chromium:
tests/e2e/test_published_docs.py."""
import csv
import json
import re

import duckdb
import pytest

from dagster_project.publication.docs import PAGE_FIXES, dbt_docs_page, write_dictionary, write_site
from dagster_project.publication.open_data import FIELDS
from dagster_project.publication.publish import _copy_comments
from dagster_project.settings import DBT_DIR
from dagster_project.transform.exposures import EXPOSURE, published_tables

from .publish_fixture import COLUMNS, make_analysts_file

INS_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}(?![0-9A-Za-z])")


@pytest.fixture(scope="module")
def manifest():
    return json.loads((DBT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))


def published_nodes(manifest) -> dict[str, dict]:
    """{relation name in the analysts' file: its dbt node}."""
    nodes = [manifest["nodes"][uid] for uid in manifest["exposures"][EXPOSURE]["depends_on"]["nodes"]]
    return {n.get("alias") or n["name"]: n for n in nodes}


def test_every_published_table_and_column_has_a_description(manifest):
    """A column added to a published model without its yml description fails here: the output columns of the
    models are those of tests/publication/publish_fixture.py and of the open-data FIELDS, both held equal to a
    real publication (tests/e2e/test_dashboard_browser.py, tests/publication/test_open_data.py)."""
    expected = {t: [c for c, _ in cols] for t, cols in COLUMNS.items()}
    expected["indicator_results_open"] = [f.name for f in FIELDS]
    nodes = published_nodes(manifest)
    assert set(nodes) == set(published_tables()) == set(expected)
    for table, node in nodes.items():
        assert node["description"].strip(), f"{node['name']}: no description in its yml"
        assert node["config"]["persist_docs"] == {"relation": True, "columns": True}, node["name"]
        described = {c: v["description"].strip() for c, v in node["columns"].items()}
        missing = [c for c in expected[table] if not described.get(c)]
        assert missing == [], f"{node['name']}: columns without a description in its yml: {missing}"
        assert set(described) <= set(expected[table]), f"{node['name']}: yml describes columns the model has not"


def test_the_descriptions_analysts_read_are_in_french(manifest):
    for table, node in published_nodes(manifest).items():
        words = set(re.findall(r"[a-zàâçéèêëîïôûùüÿœ]+", node["description"].lower()))
        assert words & {"les", "une", "des", "du", "et", "la", "le"}, f"{table}: description not in French"
        assert not words & {"the", "every", "which", "with"}, f"{table}: English words in its description"


def test_comments_are_copied_into_the_analysts_file_and_listed_in_the_dictionary(tmp_path):
    """publication.publish._copy_comments copies the comments dbt wrote (persist_docs) onto the copy; the dictionary
    lists every table and column of the file with its type, description and row count."""
    make_analysts_file(tmp_path / "work.duckdb")
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    con.execute("COMMENT ON TABLE publish.labels IS 'Les libellés, « guillemets » et l''apostrophe'")
    con.execute("COMMENT ON COLUMN publish.labels.code IS 'Le code'")
    con.execute(f"ATTACH '{tmp_path / 'pub.duckdb'}' AS pub")
    con.execute("CREATE SCHEMA pub.publish")
    con.execute("CREATE TABLE pub.publish.labels AS SELECT * FROM publish.labels")
    _copy_comments(con, "labels")
    con.execute("DETACH pub")
    con.close()
    with duckdb.connect(str(tmp_path / "pub.duckdb"), read_only=True) as pub:
        assert pub.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'labels'").fetchone() == (
            "Les libellés, « guillemets » et l'apostrophe",)
        comments = dict(pub.execute("SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'labels'")
                        .fetchall())
        n = pub.execute("SELECT count(*) FROM publish.labels").fetchone()[0]
    assert comments == {"domain": None, "code": "Le code", "label": None}

    html, table = write_dictionary(tmp_path / "pub.duckdb", tmp_path / "docs", {"published_at": "2026-12-07T08:00:00+00:00"})
    page = html.read_text(encoding="utf-8")
    assert 'id="labels"' in page and "Les libellés, « guillemets » et l&#39;apostrophe" in page
    assert f"{n} lignes" in page and "<code>code</code></td><td><code>VARCHAR</code></td><td>Le code</td>" in page
    raw = table.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows == [["table", "colonne", "type", "description"],
                    ["labels", "", "", "Les libellés, « guillemets » et l'apostrophe"],
                    ["labels", "domain", "VARCHAR", ""], ["labels", "code", "VARCHAR", "Le code"],
                    ["labels", "label", "VARCHAR", ""]]


def test_docs_page_embeds_the_parsed_manifest_without_test_fixtures(tmp_path, manifest):
    assert INS_TOKEN.search(json.dumps(manifest["unit_tests"])), "the unit tests hold INS-shaped values: test moot"
    page = write_site(tmp_path / "index.html").read_text(encoding="utf-8")
    assert "INLINE DATA" not in page
    assert not INS_TOKEN.search(page)
    for old, new in PAGE_FIXES:
        assert old not in page and new in page
    start = page.index('{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/')
    embedded, _ = json.JSONDecoder().raw_decode(page[start:])
    assert embedded["unit_tests"] == {} and set(embedded["nodes"]) == set(manifest["nodes"])
    assert not any("compiled_code" in n for n in embedded["nodes"].values())
    node = embedded["nodes"]["model.eparcours.publish_indicator_results"]
    assert node["description"] == manifest["nodes"]["model.eparcours.publish_indicator_results"]["description"]
    assert len(page) > dbt_docs_page().stat().st_size
