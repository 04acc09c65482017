"""Write–audit–publish: the one asset that writes what consumers read, switched as a whole.

It runs only after the quality gate passed (a refused run never reaches it). Each publication is written into
a staging folder ``<home>/publications/.staging-<id>/``, renamed ``<home>/publications/<id>/`` when complete,
and ``<home>/published`` (a symbolic link) is switched to it by one atomic rename. Readers see the whole
previous publication or the whole new one, never a mix, whenever the process is killed: before the switch
nothing they see changed; after it everything did. The manifest is written inside the publication, so it
always matches its files. The last ``EPARCOURS_KEEP_PUBLICATIONS`` (default 5) publications are kept for
``eparcours rollback``; leftovers of killed runs are removed by the next one. An analyst holding
``published/warehouse.duckdb`` open keeps the file he opened; his next connection sees the new one.

Published: ``warehouse.duckdb`` (schema ``publish`` only, readable by DuckDB 1.4 and later),
``indicator_results.csv`` (French Excel: UTF-8 with BOM, ``;``, decimal comma) and ``.parquet``,
``quarantine_report.csv``, ``cnsa/<measure date>/`` (workbooks and proofs), ``dashboard/`` (the quarterly
dashboard of every structure), ``rapports/`` (the semestrial reports), ``open/`` (the open-data export with
small cells masked), ``quality/`` (validation results as JSON and an HTML page), ``docs/`` (the dbt docs site and the
data dictionary of the analysts' file, ``docs.py``) and ``manifest.json``. Every table and column of the analysts'
file carries its description (the yml of ``dbt/models/publish/``, French) as a DuckDB comment: dbt writes them on
the working warehouse (``persist_docs``), each ``CREATE TABLE`` of the copy is followed by its ``COMMENT ON``.
"""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import uuid
from datetime import datetime, timezone
from pathlib import Path

import dagster as dg

from ..privacy import share_with_group
from ..quality.checks import INDICATOR_RESULTS, failed_gate_checks
from ..quality.findings import failures, load_results, overrides, warning_lines
from ..resources import WRITER_POOL, WarehouseResource
from ..transform.exposures import published_tables, select_of
from ..settings import package_version
from . import reuse_published
from .cnsa import produce_cnsa
from .docs import write_docs
from .quality_report import render_quality_html

# The figures, then the tier in force and the French texts every page prints (publish.indicator_results): the
# CSV shows a figure exactly as the dashboard and the reports do (1/16 → « 6,3 % »).
RESULTS_COLUMNS = ("indicator_id, label, programme, scope_type, scope_id, subgroup, period_start, period_end, "
                   "numerator, denominator, value, target, target_met, status, reference_document, "
                   "evidence_reference, evidence_date, measure_date, comparison, target_applies_from, target_source, "
                   "quarter_label, scope_label, subgroup_label, value_text, ratio_text, target_text, "
                   "attainment_label, status_label, rank_text, gap_text")
RESULTS_ORDER = "period_end, programme, indicator_id, scope_type DESC, scope_id, subgroup"
# DuckDB 2.0 writes the analysts' file in a format DuckDB 1.4 reads (many analysts' tools bundle DuckDB 1.x).
ANALYSTS_STORAGE_VERSION = "v1.4.0"
BOM = "\ufeff".encode("utf-8")


class PublicationError(RuntimeError):
    pass


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def code_version() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).resolve().parent, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{package_version()}+{commit}" if commit else package_version()


def keep_publications() -> int:
    raw = os.environ.get("EPARCOURS_KEEP_PUBLICATIONS", "5")
    try:
        n = int(raw)
    except ValueError:
        raise PublicationError(f"EPARCOURS_KEEP_PUBLICATIONS={raw!r} is not a whole number") from None
    if n < 1:
        raise PublicationError(f"EPARCOURS_KEEP_PUBLICATIONS={n}: at least the current publication is kept (1)")
    return n


# --------------------------------------------------------------------------- the switch


class _Steps:
    """Test hook: ``EPARCOURS_PUBLISH_KILL_AT=n`` sends SIGKILL to this process at its n-th step (every file
    operation of the publication is a step), to prove that ``published`` is always one whole publication."""

    def __init__(self):
        raw = os.environ.get("EPARCOURS_PUBLISH_KILL_AT")
        self.kill_at = int(raw) if raw else None
        self.trace = os.environ.get("EPARCOURS_PUBLISH_TRACE")  # a file listing the steps, one per line
        self.n = 0

    def __call__(self, name: str) -> None:
        self.n += 1
        if self.trace:
            with open(self.trace, "a", encoding="utf-8") as f:
                f.write(f"{self.n}\t{name}\n")
        if self.kill_at is not None and self.n == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


def publications_dir(home: Path) -> Path:
    return home / "publications"


def current_publication(published: Path) -> Path | None:
    """The publication folder ``published`` points to (None before the first one)."""
    if published.is_symlink():
        target = published.resolve()
        return target if target.is_dir() else None
    return published if published.is_dir() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(home: Path) -> list[str]:
    """Remove what killed publications left: staging folders of dead processes, half-made links."""
    removed = []
    pubs = publications_dir(home)
    for d in sorted(pubs.glob(".staging-*")) if pubs.is_dir() else []:
        try:
            pid = int((d / ".pid").read_text())
        except (OSError, ValueError):
            pid = 0
        if pid and pid != os.getpid() and _alive(pid):
            continue
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d.name)
    for link in home.glob(".published-*"):
        if link.is_symlink():
            link.unlink(missing_ok=True)
            removed.append(link.name)
    for d in home.glob(".publish-staging-*"):  # the layout before versioned publications
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d.name)
    return removed


def switch(published: Path, target: Path, step=lambda name: None) -> None:
    """Point ``published`` at ``target`` with one atomic rename of a symbolic link."""
    home = published.parent
    if published.exists() and not published.is_symlink():
        # a publication of the earlier layout (a real folder): kept as the first of the versioned ones
        legacy = publications_dir(home) / f"legacy-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}"
        os.rename(published, legacy)
        step("moved legacy publication")
    tmp = home / f".published-{uuid.uuid4().hex[:8]}"
    os.symlink(os.path.relpath(target, home), tmp)
    step("link made")
    os.replace(tmp, published)
    step("link switched")
    _fsync_dir(home)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune(home: Path, keep: int, step=lambda name: None) -> list[str]:
    """Keep the ``keep`` newest publications (the current one always)."""
    pubs = publications_dir(home)
    current = current_publication(home / "published")
    done = sorted((d for d in pubs.iterdir() if d.is_dir() and not d.name.startswith(".")
                   and (d / "manifest.json").is_file()), key=lambda d: d.name)
    removed = []
    for d in done[:-keep] if len(done) > keep else []:
        if current is not None and d.resolve() == current.resolve():
            continue
        shutil.rmtree(d, ignore_errors=True)
        step(f"pruned {d.name}")
        removed.append(d.name)
    return removed


def list_publications(home: Path) -> list[dict]:
    pubs = publications_dir(home)
    out = []
    for d in sorted(pubs.iterdir()) if pubs.is_dir() else []:
        if d.name.startswith(".") or not (d / "manifest.json").is_file():
            continue
        m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
        out.append({"id": d.name, "path": d, "published_at": m.get("published_at"),
                    "measure_dates": m.get("measure_dates", []), "code_version": m.get("code_version")})
    return out


def rollback(home: Path, to: str | None = None) -> dict:
    """Switch ``published`` back to the previous publication (or to publication ``to``)."""
    pubs = list_publications(home)
    current = current_publication(home / "published")
    ids = [p["id"] for p in pubs]
    if not pubs:
        raise PublicationError(f"no publication under {publications_dir(home)}")
    if to is None:
        cur = current.name if current is not None else None
        if cur not in ids or ids.index(cur) == 0:
            raise PublicationError("no earlier publication to roll back to (kept: " + ", ".join(ids) + ")")
        to = ids[ids.index(cur) - 1]
    if to not in ids:
        raise PublicationError(f"no publication {to!r} (kept: {', '.join(ids)})")
    target = next(p for p in pubs if p["id"] == to)
    switch(home / "published", target["path"])
    return target


# --------------------------------------------------------------------------- what is published


def _csv_for_excel(con, sql: str, out: Path) -> None:
    """A CSV French Excel opens as it is: UTF-8 with a BOM, ``;`` and a decimal comma."""
    tmp = out.with_name(out.name + ".tmp")
    con.execute(f"COPY ({sql}) TO '{tmp}' (HEADER, DELIMITER ';', DATEFORMAT '%Y-%m-%d')")
    with open(out, "wb") as dst, open(tmp, "rb") as src:
        dst.write(BOM)
        shutil.copyfileobj(src, dst, 1 << 20)
    tmp.unlink()


def _excel_results_sql() -> str:
    cols = [c.strip() for c in RESULTS_COLUMNS.split(",")]
    sel = [f"replace(CAST({c} AS VARCHAR), '.', ',') AS {c}" if c in ("value", "target") else c for c in cols]
    return f"SELECT {', '.join(sel)} FROM publish.indicator_results ORDER BY {RESULTS_ORDER}"


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_comments(con, table: str) -> None:
    """The descriptions of a published table and its columns onto its copy in the analysts' file: dbt wrote them as
    DuckDB comments of the working warehouse (``persist_docs`` of the publish models, from their yml)."""
    where = "database_name = current_database() AND schema_name = 'publish' AND table_name = ?"
    statements = [f"COMMENT ON TABLE pub.publish.{table} IS {_sql_text(comment)}" for (comment,) in con.execute(
        f"SELECT comment FROM duckdb_tables() WHERE {where} AND comment IS NOT NULL", [table]).fetchall()]
    statements += [f'COMMENT ON COLUMN pub.publish.{table}."{column}" IS {_sql_text(comment)}'
                   for column, comment in con.execute(f"SELECT column_name, comment FROM duckdb_columns() WHERE {where} "
                                                      "AND comment IS NOT NULL", [table]).fetchall()]
    if statements:
        con.execute(";\n".join(statements))  # one call, not one per column: 0.25 s → 0.17 s for the 158 comments


def run_info(con, results: list[dict], published_at: str, version: str) -> dict:
    """What the dashboard and the reports say about the publication and its data quality."""
    region = con.execute("SELECT region_code FROM intermediate.int_region").fetchone()
    region_code = region[0] if region else None
    name = con.execute("SELECT libelle FROM ref.ref_regions WHERE code_region = ?", [region_code]).fetchone() \
        if region_code else None
    files = con.execute(
        """SELECT count(*) FILTER (WHERE status = 'loaded'), count(*) FILTER (WHERE status = 'refused'),
                  coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0), coalesce(sum(values_flagged), 0)
           FROM staging.stg_ingestion__current_deliveries""").fetchone()
    return {
        "published_at": published_at, "code_version": version, "region_code": region_code,
        "region_name": name[0] if name else None,
        "quality": {
            "files_ingested": files[0], "files_refused": files[1], "rows_loaded": int(files[2]),
            "rows_quarantined": int(files[3]), "values_flagged": int(files[4]),
            "warnings": [{"id": f.id, "table": f.asset, "means": f.means, "observed": f.observed}
                         for f in failures(results, "warning")],
            "overrides": [{"id": o["id"], "reason": o["reason"], "by": o["by"], "at": o["at"]}
                          for o in overrides(results)],
        },
    }


def _semester_reports(stage: Path, previous: Path | None, prev_manifest: dict, info: dict, step) -> dict:
    """One PDF per semester end; a report whose figures did not change is the one published before."""
    from .report import report_name, semester_digest, semesters, write_semester_report

    db = stage / "warehouse.duckdb"
    out = stage / "rapports"
    digests = {}
    before = prev_manifest.get("semester_reports", {})
    for end in semesters(db):
        name = report_name(info.get("region_code") or "", end)
        digest = semester_digest(db, end, {"code_version": info.get("code_version")})
        digests[name] = digest
        # the same figures: the report published then (its date says when)
        if not (before.get(name) == digest
                and reuse_published(previous / "rapports" if previous is not None else None, out, [Path(name)])):
            write_semester_report(db, out, end, info)
        step(f"rapports/{name}")
    return digests


def build_publication(warehouse: WarehouseResource) -> dict:
    from .dashboard import write_dashboard
    from .open_data import write_open_data

    paths = warehouse.paths()
    step = _Steps()
    home = paths.home
    pubs = publications_dir(home)
    pubs.mkdir(parents=True, exist_ok=True)
    share_with_group(pubs, recursive=False)
    clean_leftovers(home)
    published_at = datetime.now(timezone.utc)
    pub_id = f"{published_at:%Y%m%dT%H%M%S}Z-{uuid.uuid4().hex[:6]}"
    stage = pubs / f".staging-{pub_id}"
    stage.mkdir()
    (stage / ".pid").write_text(str(os.getpid()))
    previous = current_publication(paths.published)
    prev_manifest = {}
    if previous is not None and (previous / "manifest.json").is_file():
        prev_manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    version = code_version()
    quality_src = paths.warehouse_dir / "quality"
    results = load_results(quality_src)
    try:
        with warehouse.connect() as con:
            measure_dates = [r[0] for r in con.execute(
                "SELECT DISTINCT measure_date FROM publish.indicator_results ORDER BY 1").fetchall()]
            con.execute(f"ATTACH '{stage / 'warehouse.duckdb'}' AS pub (STORAGE_VERSION '{ANALYSTS_STORAGE_VERSION}')")
            con.execute("CREATE SCHEMA pub.publish")
            counts = {}
            for name in published_tables():
                con.execute(f"CREATE TABLE pub.publish.{name} AS {select_of(name)}")
                _copy_comments(con, name)
                counts[name] = con.execute(f"SELECT count(*) FROM pub.publish.{name}").fetchone()[0]
            con.execute("DETACH pub")
            step("warehouse.duckdb")
            _csv_for_excel(con, _excel_results_sql(), stage / "indicator_results.csv")
            step("indicator_results.csv")
            con.execute(f"COPY (SELECT {RESULTS_COLUMNS} FROM publish.indicator_results ORDER BY {RESULTS_ORDER}) "
                        f"TO '{stage / 'indicator_results.parquet'}' (FORMAT parquet)")
            step("indicator_results.parquet")
            # publish.quarantine_report carries no person identifier and no broken line, by construction
            _csv_for_excel(con, """SELECT * FROM publish.quarantine_report
                                   ORDER BY source, table_name, file_name, line_number, column_name""",
                           stage / "quarantine_report.csv")
            step("quarantine_report.csv")
            landing_files = [dict(zip(("table", "file", "sha256", "delivery_key", "status", "rows_loaded"), r))
                             for r in con.execute(
                "SELECT table_name, file_name, file_sha256, delivery_key, status, rows_loaded FROM raw.ingested_files "
                "WHERE status IN ('loaded', 'refused', 'superseded') ORDER BY table_name, delivery_key, file_name"
            ).fetchall()]
            info = run_info(con, results, published_at.isoformat(timespec="seconds"), version)
        cnsa = produce_cnsa(paths.warehouse, stage / "cnsa", measure_dates[-1],
                            previous=previous / "cnsa" if previous is not None else None,
                            previous_inputs=prev_manifest.get("cnsa_inputs")) if measure_dates else None
        step("cnsa")
        (stage / "quality").mkdir()
        for f in sorted(quality_src.glob("*.json")):
            shutil.copy2(f, stage / "quality" / f.name)
        render_quality_html(stage / "quality")
        step("quality")
        info["results_sha256"] = sha256_file(stage / "indicator_results.csv")
        write_docs(stage / "warehouse.duckdb", stage / "docs", info)
        info["dictionary"] = "../docs/dictionnaire.html"  # linked from the dashboard's index page
        step("docs")
        write_dashboard(stage / "warehouse.duckdb", stage / "dashboard", info)
        step("dashboard")
        reports = _semester_reports(stage, previous, prev_manifest, info, step)
        write_open_data(stage / "warehouse.duckdb", stage / "open")
        step("open")
        files = sorted(p for p in stage.rglob("*") if p.is_file() and p.name != ".pid")
        manifest = {
            "id": pub_id,
            "published_at": info["published_at"],
            "previous": previous.name if previous is not None else None,
            "code_version": version,
            "measure_dates": [d.isoformat() for d in measure_dates],
            "tables": counts,
            "cnsa_refused": cnsa.refused if cnsa else [],
            "cnsa_inputs": cnsa.inputs if cnsa else {},  # what the next publication compares to reuse files
            "overrides": overrides(results),
            "warnings": warning_lines(results),
            "semester_reports": reports,
            "landing_files": landing_files,
            "files": {str(p.relative_to(stage)): sha256_file(p) for p in files},
        }
        (stage / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        (stage / ".pid").unlink()
        step("manifest.json")
        share_with_group(stage)  # the publication group may read it; others nothing (privacy.py)
        final = pubs / pub_id
        os.rename(stage, final)
        _fsync_dir(pubs)
        step("publication complete")
        switch(paths.published, final, step)
        prune(home, keep_publications(), step)
        return manifest
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


@dg.asset(
    key=["publish", "publication"],
    group_name="publish",
    # lineage in the UI: every publish model a deliverable reads (dbt exposures), and the CNSA figures
    deps=[INDICATOR_RESULTS, dg.AssetKey(["marts", "esms_cnsa_figures"]), dg.AssetKey(["publish", "quarantine_report"]),
          *[dg.AssetKey(["publish", t]) for t in published_tables()]],
    pool=WRITER_POOL,
    kinds={"duckdb", "parquet", "csv", "excel", "pdf", "html"},
    owners=["team:ars-data"],
    description="Everything consumers read, written only after the quality gate passed and switched as a whole: "
                "the analysts' DuckDB file (schema publish, DuckDB 1.4+), indicator_results.csv/.parquet, CNSA "
                "workbooks and proofs of use, the quarterly dashboard, the semestrial reports, the open-data export, "
                "the quarantine report, the validation results and manifest.json.",
)
def publication(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    refused = failed_gate_checks(context.instance)
    if refused:
        raise dg.Failure(f"the quality gate refused publication: the last evaluation of {', '.join(refused)} "
                         "failed: fix the deliveries or recompute the quarter, then publish")
    manifest = build_publication(warehouse)
    return dg.MaterializeResult(metadata={
        "id": manifest["id"],
        "published_at": manifest["published_at"],
        "code_version": manifest["code_version"],
        "measure_dates": len(manifest["measure_dates"]),
        "last_measure_date": manifest["measure_dates"][-1] if manifest["measure_dates"] else "",
        "files": len(manifest["files"]),
        "tables": dg.MetadataValue.json(manifest["tables"]),
        "cnsa_refused": dg.MetadataValue.json(manifest["cnsa_refused"]),
        "overrides": dg.MetadataValue.json(manifest["overrides"]),
    })
