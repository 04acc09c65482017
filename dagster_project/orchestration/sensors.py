"""The landing sensor: a file dropped in the landing folder is ingested, with what depends on it, and
nothing else.

Every 30 seconds the sensor lists the landing folder (``EPARCOURS_LANDING``, default ``data/landing``)
with the same rules as the ingestion (``engine.discover``: which table a file feeds, its delivery key).
A file is *new* when its path is not in the cursor, *re-delivered* when its size or modification time
changed and its SHA-256 differs (a file touched without a change of content is not ingested again, as
the ingestion would skip it anyway). For the changed files it asks for one run of ``landing_job`` with:

- the raw tables they feed (the FINESS etalab file feeds two: ``raw/finess_structures`` and
  ``raw/finess_geolocalisation``, one multi-asset) and their ``gx_landing`` checks;
- everything downstream of those tables except the publication: their staging views, and the
  intermediate and indicator models of the quarters the files fall in (the quarter containing the
  month of a monthly file, or the date of a dated snapshot), with their dbt tests and the
  pre-publication gate. Several quarters are computed as one partition range (first to last).
  A file of a quarter that is not over yet is ingested; its quarter is computed once it is over.

The sensor does not publish: what consumers read changes at the next publication (schedules, or
``publish_job`` from the UI). Files that match no landing table are logged once and ignored. A file still
being written (modified less than ``EPARCOURS_LANDING_SETTLE_SECONDS``, default 10, ago) waits for the
next evaluation. The state is the sensor cursor, JSON: ``{"files": {path: {size, mtime_ns, ctime_ns, sha256}},
"unknown": [path, ...]}`` with paths relative to the landing folder.

The run-failure sensor ``run_failure_alert`` appends one line per failed run, of any job, to an alert file
(``EPARCOURS_ALERT_FILE``, default ``<home>/alerts.log``) that an operator's cron or mail picks up::

    2026-12-07T22:31:05Z FAILED quarter_job run 5d1c… partition 2024-10-01: step dbt_indicators failed: …

It watches every run of the instance (``monitor_all_code_locations=True``): by default a run status sensor only
sees the runs whose remote origin is its own code location, and a run executed in-process by the command line
(``job.execute_in_process(instance=...)``) has no remote origin, so it would never be seen.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import dagster as dg

from ..ingestion.engine import discover, sha256_of
from ..privacy import MASKED_IN_LINE, NIR_PATTERN
from ..partitions import partition_key_for, quarterly_partitions
from ..settings import current_paths
from .jobs import LANDING_JOB

SENSOR_INTERVAL_SECONDS = 30
DEFAULT_SETTLE_SECONDS = 10


@dataclass(frozen=True)
class Delivery:
    """A new or re-delivered landing file."""

    path: str  # relative to the landing folder
    tables: tuple[str, ...]
    delivery_key: str  # YYYY-MM (monthly file) or YYYY-MM-DD (dated snapshot)
    sha256: str
    redelivered: bool

    @property
    def measure_day(self) -> date:
        """The day that places the file in a quarter (first day of its month, or its snapshot date)."""
        if len(self.delivery_key) == 7:
            return date.fromisoformat(self.delivery_key + "-01")
        return date.fromisoformat(self.delivery_key)


@dataclass
class LandingScan:
    changed: list[Delivery]
    files: dict[str, dict]  # the new cursor state
    unknown: list[str]
    new_unknown: list[str]
    removed: list[str]
    settling: list[str]

    def cursor(self) -> str:
        return json.dumps({"files": self.files, "unknown": self.unknown}, separators=(",", ":"), sort_keys=True)


def read_cursor(cursor: str | None) -> dict:
    if not cursor:
        return {"files": {}, "unknown": []}
    state = json.loads(cursor)
    return {"files": state.get("files", {}), "unknown": state.get("unknown", [])}


def settle_seconds() -> float:
    return float(os.environ.get("EPARCOURS_LANDING_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS))


def scan_landing(landing: Path, previous: dict, settle: float = 0.0, now: float | None = None) -> LandingScan:
    """Compare the landing folder with the previous cursor state (see the module docstring)."""
    by_table, unknown = discover(landing)
    per_file: dict[str, tuple[Path, list[str], str]] = {}
    for table, files in by_table.items():
        for path, key in files:
            rel = path.relative_to(landing).as_posix()
            per_file.setdefault(rel, (path, [], key))[1].append(table)
    now = time.time() if now is None else now
    old_files = previous["files"]
    files: dict[str, dict] = {}
    changed: list[Delivery] = []
    settling: list[str] = []
    for rel, (path, tables, key) in sorted(per_file.items()):
        st = path.stat()
        old = old_files.get(rel)
        # size, mtime and ctime: a correction copied in place keeping size and mtime (cp -p) has a new ctime
        if (old and old["size"] == st.st_size and old["mtime_ns"] == st.st_mtime_ns
                and old.get("ctime_ns") == st.st_ctime_ns):
            files[rel] = old
            continue
        if abs(now - st.st_mtime) < settle:  # still being copied: look again at the next evaluation
            settling.append(rel)
            if old:
                files[rel] = old
            continue
        sha = sha256_of(path)
        files[rel] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns, "sha256": sha}
        if old and old["sha256"] == sha:
            continue
        changed.append(Delivery(rel, tuple(sorted(tables)), key, sha, redelivered=old is not None))
    unknown_rel = sorted(Path(u).as_posix() for u in unknown)
    new_unknown = [u for u in unknown_rel if u not in set(previous["unknown"])]
    removed = sorted(set(old_files) - set(per_file))
    return LandingScan(changed, files, unknown_rel, new_unknown, removed, settling)


def affected_partitions(changed: list[Delivery], current_time: datetime | None = None) -> list[str]:
    """The quarters (partition keys) the changed files fall in, among the quarters that are over."""
    existing = set(quarterly_partitions.get_partition_keys(current_time=current_time))
    return sorted({partition_key_for(d.measure_day) for d in changed} & existing)


def run_request_for(changed: list[Delivery], asset_graph, current_time: datetime | None = None) -> dg.RunRequest:
    """One run: the changed raw tables, everything downstream but the publication, their checks, and the
    partitions of the quarters concerned (a range when several)."""
    tables = sorted({t for d in changed for t in d.tables})
    quarters = affected_partitions(changed, current_time)
    selection = (dg.AssetSelection.assets(*[dg.AssetKey(["raw", t]) for t in tables]).downstream()
                 - dg.AssetSelection.assets(dg.AssetKey(["publish", "publication"])))
    keys = selection.resolve(asset_graph)
    if not quarters:  # only the unpartitioned part (ingestion, staging) has something to do
        keys = {k for k in keys if asset_graph.get(k).partitions_def is None}
        selection = dg.AssetSelection.assets(*keys)
    checks = selection.resolve_checks(asset_graph)
    tags = {
        "eparcours/trigger": "landing_sensor",
        "eparcours/tables": ",".join(tables),
        "eparcours/files": _files_tag(changed),
        "eparcours/quarters": ",".join(quarters) or "none",
    }
    partition_key = None
    if len(quarters) == 1:
        partition_key = quarters[0]
    elif quarters:
        tags["dagster/asset_partition_range_start"] = quarters[0]
        tags["dagster/asset_partition_range_end"] = quarters[-1]
    run_key = hashlib.sha1("\n".join(f"{d.path}:{d.sha256}" for d in changed).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=f"landing-{run_key}", job_name=LANDING_JOB, partition_key=partition_key,
                         asset_selection=sorted(keys, key=lambda k: k.to_user_string()),
                         asset_check_keys=sorted(checks, key=lambda k: k.to_user_string()), tags=tags)


def _files_tag(changed: list[Delivery], limit: int = 5) -> str:
    names = [d.path for d in changed[:limit]]
    more = len(changed) - limit
    return ", ".join(names) + (f" (+{more} more)" if more > 0 else "")


@dg.sensor(
    name="landing_sensor",
    job_name=LANDING_JOB,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="New or re-delivered landing files (name, size, modification time, SHA-256): ingest their "
                "tables only and recompute the quarters they fall in. Does not publish.",
)
def landing_sensor(context: dg.SensorEvaluationContext):
    landing = current_paths().landing
    if not landing.is_dir():
        return dg.SkipReason(f"landing folder {landing} does not exist")
    scan = scan_landing(landing, read_cursor(context.cursor), settle=settle_seconds())
    for rel in scan.new_unknown:
        context.log.warning(f"ignored {rel}: matches no landing table (see docs/landing.md)")
    for rel in scan.removed:
        context.log.info(f"{rel} is no longer in the landing folder (its rows stay in the warehouse)")
    for rel in scan.settling:
        context.log.info(f"{rel} was modified less than {settle_seconds():g} s ago: next evaluation")
    if not scan.changed:
        return dg.SensorResult(skip_reason=dg.SkipReason(f"no new or re-delivered file in {landing}"),
                               cursor=scan.cursor())
    for d in scan.changed:
        context.log.info(f"{'re-delivered' if d.redelivered else 'new'} {d.path} -> {', '.join(d.tables)} "
                         f"({d.delivery_key})")
    request = run_request_for(scan.changed, context.repository_def.asset_graph)
    return dg.SensorResult(run_requests=[request], cursor=scan.cursor())


ALERT_MESSAGE_LIMIT = 300  # characters of the error's first line kept in an alert


def alert_file() -> Path:
    """``EPARCOURS_ALERT_FILE``, default ``<home>/alerts.log``."""
    raw = os.environ.get("EPARCOURS_ALERT_FILE", "").strip()
    return Path(raw).expanduser().resolve() if raw else current_paths().home / "alerts.log"


def _one_line(message: str | None) -> str:
    """The first non-empty line of an error message, NIR-shaped runs masked, at most ALERT_MESSAGE_LIMIT characters:
    no stack trace, and no identifier a value in the message might carry."""
    line = next((ln.strip() for ln in (message or "").splitlines() if ln.strip()), "")
    for _ in range(2):  # twice: two identifiers side by side share a separator
        line = re.sub(NIR_PATTERN, rf"\1{MASKED_IN_LINE}\2", line)
    return line if len(line) <= ALERT_MESSAGE_LIMIT else line[:ALERT_MESSAGE_LIMIT - 1] + "…"


def _innermost(error):
    while error is not None and error.cause is not None:
        error = error.cause
    return error


def _partition(tags) -> str:
    if tags.get("dagster/partition"):
        return f" partition {tags['dagster/partition']}"
    start, end = tags.get("dagster/asset_partition_range_start"), tags.get("dagster/asset_partition_range_end")
    if start and end:
        return f" partition {start}...{end}" if start != end else f" partition {start}"
    return ""


def failure_line(run: dg.DagsterRun, step_failures, run_failure_message: str | None, at: datetime) -> str:
    """``<ISO time UTC> FAILED <job> run <run id>[ partition <key or range>]: <one sentence>``: the first failed step
    and the first line of its innermost error, else the first line of the run's failure message."""
    if step_failures:
        first = step_failures[0]
        error = _innermost(getattr(first.event_specific_data, "error", None))
        what = _one_line(error.message if error else None) or (error.cls_name if error else "no message")
        sentence = f"step {first.step_key} failed: {what}"
    else:
        sentence = _one_line(run_failure_message) or "the run failed before any step (see its logs)"
    when = at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{when} FAILED {run.job_name} run {run.run_id}{_partition(run.tags)}: {sentence}"


def append_alert(path: Path, line: str) -> None:
    """One line appended, flushed and fsynced: a ``tail -F`` or a cron ``grep`` sees it whole at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (line.replace("\n", " ") + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, data)  # O_APPEND: one write per line, never interleaved with another writer's
        os.fsync(fd)
    finally:
        os.close(fd)


@dg.run_failure_sensor(
    name="run_failure_alert",
    monitor_all_code_locations=True,  # in-process runs of the command line have no code location (module doc)
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every failed run, of any job and however launched (UI, schedule, sensor, command line on this "
                "instance): one line appended to EPARCOURS_ALERT_FILE (default <home>/alerts.log) — UTC time, job, "
                "run id, partition, first failed step and the first line of its error — for an operator's cron "
                "or mail.",
)
def run_failure_alert(context: dg.RunFailureSensorContext):
    run = context.dagster_run
    record = context.instance.get_run_record_by_id(run.run_id)
    # when the run ended (an alert caught up after the daemon was down keeps the time of the failure)
    at = (datetime.fromtimestamp(record.end_time, timezone.utc) if record and record.end_time
          else datetime.now(timezone.utc))
    line = failure_line(run, context.get_step_failure_events(), context.failure_event.message, at)
    path = alert_file()
    append_alert(path, line)
    context.log.info(f"alert written to {path}: {line}")


sensors = [landing_sensor, run_failure_alert]
