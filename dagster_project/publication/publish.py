"""Write–audit–publish: the one asset that writes what consumers read, ``<home>/published/``.

It runs only downstream of the blocking quality checks (a refused run never reaches it). Everything is
first written to a staging folder beside ``published/`` and then moved into place file by file with
``os.replace`` (atomic on one filesystem): an analyst holding ``published/warehouse.duckdb`` open keeps
the file he opened (its inode), and his next connection sees the new one.

Published: ``warehouse.duckdb`` (schema ``publish`` only, compact: written fresh), ``indicator_results.csv``
and ``.parquet``, ``quarantine_report.csv``, ``cnsa/<measure date>/`` (workbooks and proofs),
``quality/`` (validation results as JSON and an HTML page) and ``manifest.json``.
"""
import hashlib
import json
import os
import shutil
import subprocess
import uuid
from datetime import datetime, timezone
from pathlib import Path

import dagster as dg

from ..quality.checks import INDICATOR_RESULTS, failed_gate_checks
from ..resources import WRITER_POOL, WarehouseResource
from .analysts import PUBLISH_TABLES
from .deliverables import package_version, produce_cnsa
from .quality_report import render_quality_html

RESULTS_COLUMNS = ("indicator_id, label, programme, scope_type, scope_id, subgroup, period_start, period_end, "
                   "numerator, denominator, value, target, target_met, status, reference_document, "
                   "evidence_reference, evidence_date")
RESULTS_ORDER = "period_end, programme, indicator_id, scope_type DESC, scope_id, subgroup"


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


def build_publication(warehouse: WarehouseResource) -> dict:
    paths = warehouse.paths()
    published = paths.published
    stage = paths.home / f".publish-staging-{uuid.uuid4().hex[:8]}"
    stage.mkdir(parents=True)
    try:
        with warehouse.connect() as con:
            measure_dates = [r[0] for r in con.execute(
                "SELECT DISTINCT measure_date FROM marts.indicator_results ORDER BY 1").fetchall()]
            con.execute(f"ATTACH '{stage / 'warehouse.duckdb'}' AS pub")
            con.execute("CREATE SCHEMA pub.publish")
            counts = {}
            for name, sql in PUBLISH_TABLES.items():
                con.execute(f"CREATE TABLE pub.publish.{name} AS {sql}")
                counts[name] = con.execute(f"SELECT count(*) FROM pub.publish.{name}").fetchone()[0]
            con.execute("DETACH pub")
            results_sql = f"SELECT {RESULTS_COLUMNS} FROM marts.indicator_results ORDER BY {RESULTS_ORDER}"
            con.execute(f"COPY ({results_sql}) TO '{stage / 'indicator_results.csv'}' "
                        "(HEADER, DELIMITER ';', DATEFORMAT '%Y-%m-%d')")
            con.execute(f"COPY ({results_sql}) TO '{stage / 'indicator_results.parquet'}' (FORMAT parquet)")
            con.execute(f"""COPY (SELECT * FROM raw.quarantine
                                  WHERE file_sha256 IN (SELECT file_sha256 FROM raw.ingested_files
                                                        WHERE status IN ('loaded', 'refused'))
                                  ORDER BY source, table_name, file_name, line_number, column_name)
                            TO '{stage / 'quarantine_report.csv'}' (HEADER, DELIMITER ';')""")
            landing_files = [dict(zip(("table", "file", "sha256", "delivery_key", "status", "rows_loaded"), r))
                             for r in con.execute(
                "SELECT table_name, file_name, file_sha256, delivery_key, status, rows_loaded FROM raw.ingested_files "
                "WHERE status IN ('loaded', 'refused') ORDER BY table_name, delivery_key, file_name").fetchall()]
        cnsa = produce_cnsa(paths.warehouse, stage / "cnsa", measure_dates[-1]) if measure_dates else None
        quality_src = paths.warehouse_dir / "quality"
        (stage / "quality").mkdir()
        for f in sorted(quality_src.glob("*.json")):
            shutil.copy2(f, stage / "quality" / f.name)
        render_quality_html(stage / "quality")
        files = sorted(p for p in stage.rglob("*") if p.is_file())
        manifest = {
            "published_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "code_version": code_version(),
            "measure_dates": [d.isoformat() for d in measure_dates],
            "tables": counts,
            "cnsa_refused": cnsa.refused if cnsa else [],
            "landing_files": landing_files,
            "files": {str(p.relative_to(stage)): sha256_file(p) for p in files},
        }
        (stage / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        # Move into place: the manifest last, so it never lists a file that is not there yet.
        for p in files + [stage / "manifest.json"]:
            target = published / p.relative_to(stage)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(p, target)
        return manifest
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@dg.asset(
    key=["publish", "publication"],
    group_name="publish",
    deps=[INDICATOR_RESULTS],
    pool=WRITER_POOL,
    kinds={"duckdb", "parquet", "csv", "excel", "pdf"},
    owners=["team:ars-data"],
    description="Everything consumers read, written only after the quality gate passed: the analysts' DuckDB "
                "file (schema publish), indicator_results.csv/.parquet, CNSA workbooks and proofs of use, the "
                "quarantine report, the validation results and manifest.json, each replaced atomically.",
)
def publication(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    refused = failed_gate_checks(context.instance)
    if refused:
        raise dg.Failure(f"the quality gate refused publication: the last evaluation of {', '.join(refused)} "
                         "on marts/indicator_results failed: recompute the quarter (quarter_job) or re-execute "
                         "the failed checks, then publish")
    manifest = build_publication(warehouse)
    return dg.MaterializeResult(metadata={
        "published_at": manifest["published_at"],
        "code_version": manifest["code_version"],
        "measure_dates": len(manifest["measure_dates"]),
        "last_measure_date": manifest["measure_dates"][-1] if manifest["measure_dates"] else "",
        "files": len(manifest["files"]),
        "tables": dg.MetadataValue.json(manifest["tables"]),
        "cnsa_refused": dg.MetadataValue.json(manifest["cnsa_refused"]),
    })
