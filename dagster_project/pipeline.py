"""What ``eparcours run`` and ``eparcours recompute`` do: launch the jobs of the code location
(``orchestration/jobs.py``) on the instance the UI shows (``orchestration/instance.py``), in this process.

``run``        ``ingest_job`` (every landing table, seeds, staging, the gate's models and the landing checks), then
               ``quarter_job`` for every quarter from the first with data through the last complete one, as one
               partition-range run (indicators, their dbt tests, the pre-publication gate, then the publication).
               The window is read from one dbt model, ``staging.stg_ingestion__data_window``.
``recompute``  ``quarter_job`` for one quarter.

A refused gate (a failed blocking check, or a dbt test of the gate) raises ``GateRefused``; any other failed step
``PipelineError`` with its innermost error in one sentence. The command line, the tests and the benchmarks all go
through here; the run's events feed the progress display (``progress.py``).
"""
from __future__ import annotations

import contextlib
import json
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
    first_data: date | None = None
    through: date | None = None
    quarantine_report: Path | None = None
    first_quarter: date | None = None
    results_csv: Path | None = None
    published: Path | None = None
    manifest: dict | None = None
    log_file: Path | None = None
    run_ids: list[str] = field(default_factory=list)  # the Dagster runs of this command, in the instance
    unchanged_since: str | None = None  # nothing new since the run that finished then: nothing was done


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


WINDOW_SQL = ("SELECT as_of_date, first_data_date, first_quarter_start, last_complete_quarter_end "
              "FROM staging.stg_ingestion__data_window")


class Jobs:
    """The jobs of the code location, run in this process on the instance of this home (the one ``make dev`` shows):
    each ``run`` is a Dagster run with its materializations, check results and logs, whose events feed ``display``.
    Unless ``verbose``, what dbt prints (dagster-dbt re-emits every dbt event on stdout: ~800 lines a run) goes to
    ``log`` instead of the terminal or the cron mail."""

    def __init__(self, paths: Paths, verbose: bool = False, display=None, log: Path | None = None):
        from .orchestration.instance import open_instance

        paths.export_env()  # the code location's warehouse resource reads the paths from the environment
        self.paths, self.verbose, self.display, self.log = paths, verbose, display, log
        self.instance = open_instance(paths)
        self.run_ids: list[str] = []

    def run(self, name: str, tags: dict | None = None, partition_key: str | None = None):
        from .definitions import defs
        from .orchestration.instance import command_line_tags
        from .progress import attached

        job = defs.resolve_job_def(name)
        # the progress logger only (a refused gate is reported by GateRefused, a failed step by PipelineError);
        # --verbose adds Dagster's console logger, every event with its stack traces
        loggers = {"progress": {}, **({"console": {"config": {"log_level": "DEBUG"}}} if self.verbose else {})}
        with attached(self.display), _output_to(None if self.verbose else self.log):
            result = job.execute_in_process(
                instance=self.instance, raise_on_error=False, partition_key=partition_key,
                tags={**command_line_tags(), **(tags or {})}, run_config={"loggers": loggers})
        self.run_ids.append(result.run_id)
        return judge(result)


@contextlib.contextmanager
def _output_to(log: Path | None):
    if log is None:
        yield
        return
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a", encoding="utf-8") as f, contextlib.redirect_stdout(f):
        yield


def judge(result):
    """A run's verdict: a failed blocking check (or a refusing dbt test) is a refusal of the gate, any other failed
    step an error in one sentence."""
    import dagster as dg

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


def accept_tags(accepts: list[dict] | None) -> dict:
    """Run tags carrying this run's overrides of the quality gate (read by every check of the run)."""
    from .quality.checks import ACCEPT_TAG

    return {ACCEPT_TAG: json.dumps(accepts, ensure_ascii=False)} if accepts else {}


def run_pipeline(paths: Paths, through: date | None = None, verbose: bool = False,
                 accepts: list[dict] | None = None, display=None, force: bool = False) -> RunSummary:
    """``ingest_job``, then ``quarter_job`` for every quarter from the first with data up to ``through`` (default: the
    last complete quarter of the data) as one partition-range run, which publishes once its gate passed. A failed
    blocking check raises ``GateRefused`` and leaves ``<home>/published/`` untouched. When nothing changed since the
    last run that published (``unchanged_since``), nothing is done; when only deliveries did, only the quarters they
    touch are computed again (``last_run.py``); ``force`` computes everything."""
    paths.ensure()
    started = datetime.now(timezone.utc)
    from .last_run import first_quarter_to_compute, remember_run, run_fingerprint, unchanged_since

    fingerprint = run_fingerprint(paths, through, accepts)
    if not force and (last := unchanged_since(paths, fingerprint)) is not None:
        s = RunSummary(started_at=started, unchanged_since=last["finished_at"])
        return _published(s, paths)
    from .orchestration.jobs import INGEST_JOB, QUARTER_JOB
    from .partitions import partition_key_for, quarterly_partitions

    warehouse_free(paths)
    ensure_dbt_manifest()
    jobs = Jobs(paths, verbose, display, log=run_log_path(paths, started))
    tags = accept_tags(accepts)
    try:
        jobs.run(INGEST_JOB, tags)
    except GateRefused as e:
        e.summary = summarize(paths, started, through, jobs.run_ids)
        raise
    s = summarize(paths, started, through, jobs.run_ids)
    if s.through is None or s.first_data is None:
        return s
    first_key = max(partition_key_for(s.first_data), quarterly_partitions.get_first_partition_key())
    last_key = partition_key_for(s.through)
    if last_key < first_key:
        raise PipelineError(f"--through {s.through} is before the first quarter with data ({first_key})")
    if last_key not in quarterly_partitions.get_partition_keys():
        raise PipelineError(f"quarter {last_key} is not complete yet: choose an earlier --through")
    if not force:
        first_key = first_quarter_to_compute(paths, fingerprint, first_key, through)
    s.first_quarter = date.fromisoformat(first_key)
    try:
        jobs.run(QUARTER_JOB, {**tags, "dagster/asset_partition_range_start": first_key,
                               "dagster/asset_partition_range_end": last_key})
    except GateRefused as e:
        e.summary = s
        raise
    s = _published(s, paths)
    remember_run(paths, fingerprint, s.manifest["id"], last_key)
    return s


def _published(s: RunSummary, paths: Paths) -> RunSummary:
    s.published = paths.published
    s.results_csv = paths.published / "indicator_results.csv"
    s.manifest = json.loads((paths.published / "manifest.json").read_text(encoding="utf-8"))
    return s


def warehouse_free(paths: Paths) -> None:
    """Before a run writes anything: the working warehouse is not held by another process (an engineer's DuckDB
    session), or it is released within EPARCOURS_LOCK_WAIT_SECONDS; else one sentence says which file, who holds
    it and what to do."""
    from .resources import WarehouseBusy, open_warehouse

    try:
        open_warehouse(paths.warehouse, duckdb_config(paths.tmp)).close()
    except WarehouseBusy as e:
        raise PipelineError(str(e)) from None


def recompute_quarter(paths: Paths, measure_date: date, verbose: bool = False, display=None) -> RunSummary:
    """``quarter_job`` for one quarter (its partition), from what is already ingested: its indicators, dbt tests and
    gate, then the publication. Other quarters' rows are left as they are."""
    from .orchestration.jobs import QUARTER_JOB
    from .partitions import partition_key_for, quarterly_partitions

    paths.ensure()
    if measure_date != quarter_end(measure_date):
        raise PipelineError(f"{measure_date} is not the last day of a quarter")
    key = partition_key_for(measure_date)
    if key not in quarterly_partitions.get_partition_keys():
        raise PipelineError(f"quarter ending {measure_date} is not a partition (before the first quarter or not over)")
    if not paths.warehouse.exists():
        raise PipelineError(f"no working warehouse at {paths.warehouse}: run `eparcours run` first")
    warehouse_free(paths)
    ensure_dbt_manifest()
    started = datetime.now(timezone.utc)
    jobs = Jobs(paths, verbose, display, log=run_log_path(paths, started))
    s = RunSummary(started_at=started, first_quarter=date.fromisoformat(key), through=measure_date,
                   run_ids=jobs.run_ids)
    try:
        jobs.run(QUARTER_JOB, partition_key=key)
    except GateRefused as e:
        e.summary = s
        raise
    log = run_log_path(paths, started)
    s.log_file = log if log.exists() else None
    return _published(s, paths)


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


def summarize(paths: Paths, started: datetime, through: date | None, run_ids: list[str] | None = None) -> RunSummary:
    from .ingestion.engine import inventory

    s = RunSummary(started_at=started, run_ids=run_ids if run_ids is not None else [])
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
        s.as_of, s.first_data, _, s.through = _window(con)
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
    return s


def _window(con) -> tuple:
    """(as-of date, first data date, first quarter, last complete quarter end) from the dbt model that decides them;
    all None when the reference models were not built (a delivery refused before them)."""
    import duckdb

    try:
        row = con.execute(WINDOW_SQL).fetchone()
    except duckdb.CatalogException:
        return None, None, None, None
    return row if row is not None else (None, None, None, None)
