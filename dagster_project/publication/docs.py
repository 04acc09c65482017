"""The documentation a publication ships, ``published/docs/``, from the one source of the descriptions: the yml of
the dbt models (French for the published models of ``dbt/models/publish/``).

- ``index.html``: the dbt docs site of the project in one self-contained page, what ``dbt docs generate --static
  --empty-catalog --no-compile`` writes (dbt's own page with the manifest and an empty catalog inlined), opened from
  ``file://`` without any network request. It is assembled from the manifest the pipeline already parsed
  (``dbt/target/manifest.json``, which the Dagster definitions load) instead of invoking dbt (seconds at every
  publication). Left out of the embedded manifest: the fixtures of the dbt unit tests (hand-made rows, some shaped
  like an INS) and any compiled SQL; the catalog is empty (no row count, no value of the warehouse): the column
  types are in the dictionary. ``make docs`` builds the full site, with the catalog of the working warehouse, for
  the engineers.
- ``dictionnaire.html`` and ``dictionnaire.csv`` (French Excel): every table of the analysts' file with its
  description and row count, every column with its type and description, read from the analysts' file itself (the
  comments the publication copied into it), so the dictionary lists exactly what an analyst finds there.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..settings import DBT_DIR, connect_read_only
from . import fr

TEMPLATES = Path(__file__).with_name("templates")
DICTIONARY_HTML = "dictionnaire.html"
DICTIONARY_CSV = "dictionnaire.csv"
SITE = "index.html"
BOM = "\ufeff"


def dbt_docs_page() -> Path:
    from dbt.task.docs import DOCS_INDEX_FILE_PATH

    return Path(DOCS_INDEX_FILE_PATH)


def docs_manifest(manifest: dict) -> dict:
    """The manifest as the published site embeds it: documentation and code, no unit-test fixture, no compiled SQL."""
    out = dict(manifest)
    out["unit_tests"] = {}
    out["nodes"] = {uid: {k: v for k, v in node.items() if k not in ("compiled_code", "compiled")}
                    for uid, node in manifest["nodes"].items()}
    return out


def empty_catalog(manifest: dict) -> dict:
    """What ``dbt docs generate --empty-catalog`` writes."""
    meta = manifest["metadata"]
    return {"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json",
                         "dbt_version": meta["dbt_version"], "generated_at": meta["generated_at"],
                         "invocation_id": meta["invocation_id"], "invocation_started_at": meta.get("invocation_started_at"),
                         "env": {}},
            "nodes": {}, "sources": {}, "errors": None}


# Two defects of dbt's page that, from file://, Chromium reports as console errors; each is replaced by what the
# page means (the icons and the page are the same):
# - its tree draws icons with <use xlink:href="{{ getIcon(...) }}">: before AngularJS fills the attribute in, the
#   literal text is loaded as a file next to the page (« Unsafe attempt to load URL », one per icon); ng-attr-href
#   sets the (SVG 2) href attribute only once it is computed;
# - its favicon link was left as a webpack placeholder, ${require(...)}, a file that does not exist; an empty data:
#   URL asks for nothing.
PAGE_FIXES = (
    ('xlink:href="{{ getIcon(', 'ng-attr-href="{{ getIcon('),
    ("<link rel=\"shortcut icon\" href=\"${require('./assets/favicons/favicon.ico')}\"/>",
     '<link rel="icon" href="data:,"/>'),
)


def _replace(page: str, old: str, new: str) -> str:
    if old not in page:
        raise RuntimeError(f"{dbt_docs_page()}: no {old} (dbt's docs page changed: see publication/docs.py)")
    return page.replace(old, new)


def fix_page(page: str) -> str:
    for old, new in PAGE_FIXES:
        page = _replace(page, old, new)
    return page


def _inline(data: dict) -> str:
    return json.dumps(data).replace("</", "<\\/")  # a « </script> » in a description cannot end the page's script


def write_site(out: Path, manifest_path: Path | None = None) -> Path:
    """dbt's static docs page (``dbt docs generate --static``) with the manifest and an empty catalog inlined."""
    manifest = json.loads((manifest_path or DBT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    page = fix_page(dbt_docs_page().read_text(encoding="utf-8"))
    page = _replace(page, '"MANIFEST.JSON INLINE DATA"', _inline(docs_manifest(manifest)))
    page = _replace(page, '"CATALOG.JSON INLINE DATA"', _inline(empty_catalog(manifest)))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def dictionary(db: Path) -> list[dict]:
    """The tables of schema publish of the analysts' file ``db``: name, comment, row count, columns."""
    with connect_read_only(db) as con:
        tables = con.execute("SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'publish' "
                             "ORDER BY table_name").fetchall()
        out = []
        for name, comment in tables:
            columns = con.execute(
                "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE schema_name = 'publish' "
                "AND table_name = ? ORDER BY column_index", [name]).fetchall()
            out.append({"name": name, "description": comment or "", "rows": con.execute(
                f'SELECT count(*) FROM publish."{name}"').fetchone()[0],
                "columns": [{"name": c, "type": t, "description": d or ""} for c, t, d in columns]})
    return out


def write_dictionary(db: Path, out_dir: Path, info: dict) -> list[Path]:
    tables = dictionary(db)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(number=fr.number, published_at=fr.published_at)
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / DICTIONARY_HTML
    html.write_text(env.get_template("dictionnaire.html.j2").render(tables=tables, info=info), encoding="utf-8")
    table = out_dir / DICTIONARY_CSV
    with open(table, "w", encoding="utf-8", newline="") as f:  # French Excel: UTF-8 with a BOM, ``;``
        f.write(BOM)
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(["table", "colonne", "type", "description"])
        for t in tables:
            w.writerow([t["name"], "", "", t["description"]])
            for c in t["columns"]:
                w.writerow([t["name"], c["name"], c["type"], c["description"]])
    return [html, table]


def write_docs(db: Path, out_dir: Path, info: dict) -> list[Path]:
    """``published/docs/``: the dbt docs site and the dictionary of the analysts' file ``db``."""
    return [write_site(out_dir / SITE), *write_dictionary(db, out_dir, info)]


if __name__ == "__main__":  # make docs: the same fixes on the page ``dbt docs generate --static`` wrote
    import sys

    for name in sys.argv[1:]:
        path = Path(name)
        path.write_text(fix_page(path.read_text(encoding="utf-8")), encoding="utf-8")
