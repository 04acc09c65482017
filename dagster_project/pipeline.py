"""Run the whole pipeline in-process (what ``eparcours run`` does), through Dagster.

The command line, the tests and the benchmarks all go through ``run_pipeline``: it materialises every
asset of the code location with the in-process executor (one process, no re-import per step) against
the given landing folder and home, then reads back from the warehouse what was ingested and quarantined.
"""
from __future__ import annotations

import contextlib
import json
import logging
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path


from .calendar import previous_quarter_end, quarter_end
from .settings import DBT_DIR, Paths, connect_read_only, duckdb_config


class PipelineError(Exception):
    """A step failed; the message is one sentence for the person running the pipeline."""


class GateRefused(Exception):
    """The quality gate refused publication: ``failures`` lists each failed blocking check."""

    def __init__(self, failures: list[dict]):
        self.failures = failures
        first = failures[0]
        self.summary = None
        super().__init__(f"the quality gate refused publication: {len(failures)} blocking check(s) failed, "
                         f"first {first['check']} on {first['asset']}")


@dataclass
class RunSummary:
    started_at: datetime
    files: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    # entries of the landing folder not read: (path, why) - a name of no table, a folder, a FIFO, a link outside
    unknown_files: list[tuple[str, str]] = field(default_factory=list)
    as_of: date | None = None
    through: date | None = None
    quarantine_report: Path | None = None
    first_quarter: date | None = None
    results_csv: Path | None = None
    published: Path | None = None
    manifest: dict | None = None
    log_file: Path | None = None


def run_log_path(paths: Paths, started: datetime) -> Path:
    """Where a command-line run writes the full dbt log (every model and test line dbt prints)."""
    return paths.logs / f"run-{started:%Y%m%dT%H%M%S}Z.log"


def _dbt_sources_mtime() -> float:
    files = [p for pattern in ("**/*.sql", "**/*.yml", "**/*.md") for p in DBT_DIR.glob(pattern)
             if "target" not in p.parts and "logs" not in p.parts]
    files += list((DBT_DIR.parent / "seeds").glob("*.csv")) + list((DBT_DIR.parent / "seeds").glob("*.yml"))
    return max((p.stat().st_mtime for p in files), default=0.0)


def ensure_dbt_manifest() -> None:
    """dagster-dbt needs ``dbt/target/manifest.json`` matching the dbt files; `make install` builds it and
    this rebuilds it when a model, a yml or a seed changed since (as the Makefile rule does)."""
    manifest = DBT_DIR / "target" / "manifest.json"
    if manifest.exists() and manifest.stat().st_mtime >= _dbt_sources_mtime():
        return
    from .transform.dbt_cli import dbt_executable

    # in full, as the Makefile does: partial parsing after a yml edit was seen to drop singular tests' properties
    proc = subprocess.run([str(dbt_executable()), "parse", "--no-partial-parse", "--project-dir", str(DBT_DIR),
                           "--profiles-dir", str(DBT_DIR),
                           "--quiet"], capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).strip().splitlines() if ln.strip()]
        raise PipelineError(f"dbt parse failed: {' '.join(lines[-3:])}")


def last_complete_quarter(as_of: date) -> date:
    """The last quarter end D with D <= as_of (a quarter is complete once its last day has data)."""
    qe = quarter_end(as_of)
    return qe if qe == as_of else previous_quarter_end(as_of)


AS_OF_SQL = """
SELECT least(max(d), current_date) FROM (
    SELECT max(sent_at_local_date) AS d FROM raw.mss_messages
    UNION ALL SELECT max(submitted_at_local_date) FROM raw.dmp_documents
    UNION ALL SELECT max(event_at_local_date) FROM raw.dui_evenements
    UNION ALL SELECT max(start_at_local_date) FROM raw.dui_agenda
    UNION ALL SELECT max(event_at_local_date) FROM raw.coord_evenements
    UNION ALL SELECT max(posted_at_local_date) FROM raw.coord_messages
)
"""


FIRST_DATE_SQL = AS_OF_SQL.replace("SELECT least(max(d), current_date)", "SELECT min(d)").replace(
    "max(", "min(")


def _materialize(assets, resources, verbose: bool, tags: dict | None = None, partition_key: str | None = None,
                 log: Path | None = None):
    """Run the assets (and their checks) in-process; a failed blocking check is a refusal of the gate. Unless
    ``verbose``, what dbt prints (dagster-dbt re-emits every dbt event on stdout: ~800 lines a run, with colour
    codes) goes to ``log`` instead of the terminal or the cron mail."""
    import dagster as dg

    if log is not None and not verbose:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as f, contextlib.redirect_stdout(f):
            return _materialize(assets, resources, verbose, tags, partition_key)
    result = dg.materialize(
        assets,
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        tags=tags,
        partition_key=partition_key,
        # quiet unless --verbose: a refused gate is reported by GateRefused, a failed step by PipelineError (its
        # innermost error in one sentence); Dagster's own ERROR lines would print a stack trace before them
        run_config={"loggers": {"console": {"config": {"log_level": "DEBUG" if verbose else "CRITICAL"}}}},
    )
    failures = [_check_failure(ev) for ev in result.get_asset_check_evaluations()
                if not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR]
    failures = _merge(_dbt_gate_failures(result), failures)
    if failures:
        raise GateRefused(failures)
    if not result.success:
        raise PipelineError(_failure_sentence(result))
    return result


def _dbt_gate_failures(result) -> list[dict]:
    """The dbt tests that refused publication in a failed dbt step: the dbt assets read dbt's run_results.json and
    fail with the refused ids (transform/assets.py ``dbt_build``); the evidence is in quality/dbt.<asset>.json."""
    from .quality.dbt_tests import DBT_GATE_METADATA

    out = []
    for ev in result.all_events:
        if ev.event_type_value != "STEP_FAILURE":
            continue
        data = getattr(ev.event_specific_data, "user_failure_data", None)
        value = (data.metadata or {}).get(DBT_GATE_METADATA) if data is not None else None
        if value is not None:
            out += [dict(f) for f in getattr(value, "value", value) or []]
    return out


def _merge(first: list[dict], then: list[dict]) -> list[dict]:
    seen = {f["check"] for f in first}
    return first + [f for f in then if f["check"] not in seen]


def _check_failure(ev) -> dict:
    md = {k: getattr(v, "value", v) for k, v in (ev.metadata or {}).items()}
    partition = ev.partition if getattr(ev, "partition", None) else None
    unique_id = str(md.get("unique_id") or "")
    if unique_id.startswith("test."):  # a dbt test: its short id; what it means is in quality/dbt.<asset>.json
        n = md.get("dagster_dbt/failed_row_count")
        return {"check": _dbt_test_id(unique_id) or ev.check_name, "asset": ev.asset_key.to_user_string(),
                "partition": partition, "suite": "dbt",
                "detail": f"dbt test failed on {n} row(s)" if n is not None else "dbt test failed"}
    return {"check": ev.check_name, "asset": ev.asset_key.to_user_string(), "partition": partition,
            "suite": md.get("suite"), "detail": str(md.get("failures") or "")}


def _dbt_test_id(unique_id: str) -> str | None:
    from .quality.dbt_tests import short_ids
    from .transform.assets import dbt_indicators

    manifest = _manifest_of(dbt_indicators)
    return short_ids(manifest).get(unique_id) if manifest else None


def _manifest_of(assets_def):
    from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets

    try:
        return get_manifest_and_translator_from_dbt_assets([assets_def])[0]
    except Exception:
        return None


def _checks_for(assets, checks):
    keys = {k for a in assets for k in a.keys}
    return [c for c in checks if any(k.asset_key in keys for k in c.check_keys)]


def accept_tags(accepts: list[dict] | None) -> dict:
    """Run tags carrying this run's overrides of the quality gate (read by every check of the run)."""
    from .quality.checks import ACCEPT_TAG

    return {ACCEPT_TAG: json.dumps(accepts, ensure_ascii=False)} if accepts else {}


def run_pipeline(paths: Paths, through: date | None = None, verbose: bool = False,
                 accepts: list[dict] | None = None) -> RunSummary:
    """Ingest and check the landing tables, build reference and staging, compute every quarter from the first
    with data up to ``through`` (default: the last complete quarter of the data) as one partition-range run,
    run the pre-publication checks, and only then publish. A failed blocking check raises ``GateRefused``
    and leaves ``<home>/published/`` untouched."""
    paths.ensure()
    paths.export_env()
    warehouse_free(paths)
    ensure_dbt_manifest()
    from .ingestion import ingestion_assets
    from .partitions import partition_key_for, quarterly_partitions
    from .publication.publish import publication
    from .quality.checks import build_quality_checks
    from .resources import WarehouseResource
    from .transform.assets import dbt_indicators, dbt_reference, dbt_resource

    if not verbose:
        logging.getLogger("dagster").setLevel(logging.WARNING)
    started = datetime.now(timezone.utc)
    resources = {"warehouse": WarehouseResource(home=str(paths.home), landing=str(paths.landing)),
                 "dbt": dbt_resource()}
    checks = build_quality_checks()
    stage1 = [*ingestion_assets, dbt_reference]
    log = run_log_path(paths, started)
    tags = accept_tags(accepts)
    try:
        _materialize(stage1 + _checks_for(stage1, checks), resources, verbose, tags=tags or None, log=log)
    except GateRefused as e:
        e.summary = summarize(paths, started, through)
        raise
    s = summarize(paths, started, through)
    first = _first_data_date(paths)
    if s.through is None or first is None:
        return s
    first_key = max(partition_key_for(first), quarterly_partitions.get_first_partition_key())
    last_key = partition_key_for(s.through)
    if last_key < first_key:
        raise PipelineError(f"--through {s.through} is before the first quarter with data ({first_key})")
    if last_key not in quarterly_partitions.get_partition_keys():
        raise PipelineError(f"quarter {last_key} is not complete yet: choose an earlier --through")
    s.first_quarter = date.fromisoformat(first_key)
    try:
        _materialize([dbt_indicators] + _checks_for([dbt_indicators], checks), resources, verbose, log=log,
                     tags={**tags, "dagster/asset_partition_range_start": first_key,
                           "dagster/asset_partition_range_end": last_key})
    except GateRefused as e:
        e.summary = s
        raise
    _materialize([publication], resources, verbose, tags=tags or None, log=log)
    s.published = paths.published
    s.results_csv = paths.published / "indicator_results.csv"
    s.manifest = json.loads((paths.published / "manifest.json").read_text(encoding="utf-8"))
    return s


def warehouse_free(paths: Paths) -> None:
    """Before a run writes anything: the working warehouse is not held by another process (an engineer's DuckDB
    session), or it is released within EPARCOURS_LOCK_WAIT_SECONDS; else one sentence says which file, who holds
    it and what to do."""
    from .resources import WarehouseBusy, open_writable

    try:
        open_writable(paths.warehouse, duckdb_config(paths.tmp)).close()
    except WarehouseBusy as e:
        raise PipelineError(str(e)) from None


def recompute_quarter(paths: Paths, measure_date: date, verbose: bool = False) -> Path:
    """Recompute the indicator models of one quarter only (its partition), from what is already ingested,
    and rewrite the published CSV. Other quarters' rows are left as they are."""
    paths.ensure()
    paths.export_env()
    warehouse_free(paths)
    ensure_dbt_manifest()
    from .partitions import partition_key_for, quarterly_partitions
    from .resources import WarehouseResource
    from .transform.assets import dbt_resource

    if measure_date != quarter_end(measure_date):
        raise PipelineError(f"{measure_date} is not the last day of a quarter")
    key = partition_key_for(measure_date)
    if key not in quarterly_partitions.get_partition_keys():
        raise PipelineError(f"quarter ending {measure_date} is not a partition (before the first quarter or not over)")
    if not paths.warehouse.exists():
        raise PipelineError(f"no working warehouse at {paths.warehouse}: run `eparcours run` first")
    if not verbose:
        logging.getLogger("dagster").setLevel(logging.WARNING)
    resources = {"warehouse": WarehouseResource(home=str(paths.home), landing=str(paths.landing)),
                 "dbt": dbt_resource()}
    from .publication.publish import publication
    from .quality.checks import build_quality_checks
    from .transform.assets import dbt_indicators as ind

    _materialize([ind] + _checks_for([ind], build_quality_checks()), resources, verbose, partition_key=key)
    _materialize([publication], resources, verbose)
    return paths.published / "indicator_results.csv"


def _first_data_date(paths: Paths) -> date | None:
    con = connect_read_only(paths.warehouse)
    try:
        return con.execute(FIRST_DATE_SQL).fetchone()[0]
    finally:
        con.close()


def _failure_sentence(result) -> str:
    """The innermost error of the first failed step, in one sentence (the full trace is in --verbose)."""
    for ev in result.all_events:
        if ev.event_type_value == "STEP_FAILURE":
            err = ev.event_specific_data.error
            while err.cause is not None:
                err = err.cause
            msg = [ln for ln in (err.message or "").strip().splitlines() if ln.strip()]
            return f"step {ev.step_key} failed: {msg[0] if msg else err.cls_name}"
    return "the run failed (see the Dagster logs with --verbose)"


def summarize(paths: Paths, started: datetime, through: date | None) -> RunSummary:
    from .ingestion.engine import inventory

    s = RunSummary(started_at=started)
    log = run_log_path(paths, started)
    s.log_file = log if log.exists() else None
    s.unknown_files = [(f.rel, f.reason) for f in inventory(paths.landing).files if f.status != "candidate"]
    con = connect_read_only(paths.warehouse)
    try:
        cur = con.execute(
            "SELECT table_name, file_name, status, rows_loaded, rows_rejected, values_flagged, encoding, message "
            "FROM raw.ingested_files WHERE ingested_at >= ? ORDER BY table_name, file_name", [started])
        cols = [d[0] for d in cur.description]
        s.files = [dict(zip(cols, r)) for r in cur.fetchall()]
        cur = con.execute(
            """SELECT q.table_name, q.rule, q.severity, count(*) AS n, count(DISTINCT q.file_name) AS files
               FROM raw.quarantine q
               WHERE q.file_sha256 IN (SELECT file_sha256 FROM raw.ingested_files WHERE status IN ('loaded', 'refused'))
               GROUP BY ALL ORDER BY q.severity DESC, n DESC""")
        cols = [d[0] for d in cur.description]
        s.quarantine = [dict(zip(cols, r)) for r in cur.fetchall()]
        s.as_of = con.execute(AS_OF_SQL).fetchone()[0]
        report = paths.warehouse_dir / "quarantine_report.csv"
        con.execute(
            f"""COPY (SELECT q.* FROM raw.quarantine q
                      WHERE q.file_sha256 IN (SELECT file_sha256 FROM raw.ingested_files
                                              WHERE status IN ('loaded', 'refused'))
                      ORDER BY source, table_name, file_name, line_number, column_name)
                TO '{report}' (HEADER, DELIMITER ';')"""
        )
        s.quarantine_report = report
    finally:
        con.close()
    if through is not None:
        s.through = last_complete_quarter(through)
    elif s.as_of is not None:
        s.through = last_complete_quarter(s.as_of)
    return s
