"""What the last run that published saw, so that the next one does only what changed (``pipeline.run_pipeline``).

After a run that published, ``<home>/warehouse/last_run.json`` records its fingerprint (the landing folder, the
code and settings, the day, ``--through``), its publication, the last quarter it computed and the state of the
working warehouse it left. The next run:

- does nothing when its fingerprint is the same, that publication is still the current one and the warehouse is as
  that run left it (``unchanged_since``): a run with nothing new stops at once;
- computes only the quarters that deliveries loaded or refused since then touch, when the code and settings are
  the same (``first_quarter_to_compute``); any change of code or settings computes every quarter.
"""
from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone

from .calendar import today
from .settings import Paths, connect_read_only, package_version


def first_quarter_to_compute(paths: Paths, fingerprint: dict | None, first_key: str, through: date | None) -> str:
    """Every quarter from the first with data, unless the code and settings are those of the last run that published:
    then from the earliest quarter a delivery loaded or refused since that run falls in (by any run: this one, a
    failed one, the sensor's) (a snapshot counts from its
    date on: later quarters read it) or, when none, the last quarter that run computed (its provisional statuses move
    with the as-of date). Quarters before are as that run left them: no input of theirs changed."""
    from .partitions import partition_key_for

    last = last_run(paths)
    if (fingerprint is None or through is not None or last is None or last.get("last_quarter") is None
            or (last.get("fingerprint") or {}).get("code") != fingerprint["code"]):
        return first_key
    con = connect_read_only(paths.warehouse)
    try:
        keys = [r[0] for r in con.execute(
            "SELECT DISTINCT delivery_key FROM raw.ingested_files WHERE ingested_at > ? AND delivery_key IS NOT NULL "
            "AND status IN ('loaded', 'refused')", [datetime.fromisoformat(last["finished_at"])]).fetchall()]
    finally:
        con.close()
    quarters = [partition_key_for(date.fromisoformat(k + "-01" if len(k) == 7 else k)) for k in keys]
    return max(first_key, min([last["last_quarter"], *quarters]))


LAST_RUN = "last_run.json"
# settings that change nothing a run computes or publishes
_NEUTRAL_SETTINGS = {"EPARCOURS_LOCK_WAIT_SECONDS", "EPARCOURS_OPERATOR", "EPARCOURS_LANDING_SETTLE_SECONDS",
                     "EPARCOURS_ALERT_FILE", "EPARCOURS_PUBLISH_KILL_AT", "EPARCOURS_INGEST_BATCH_MB",
                     "EPARCOURS_INGEST_WORKERS", "EPARCOURS_DUCKDB_MEMORY", "EPARCOURS_DUCKDB_THREADS"}
# variables the pipeline itself exports for dbt (the paths, this run's window, the day and the lag as used): the
# paths are the run's own, the landing folder is fingerprinted by its content, the day and the lag are counted
# once, with their defaults
_EXPORTED = {"EPARCOURS_LANDING", "EPARCOURS_HOME", "EPARCOURS_WAREHOUSE", "EPARCOURS_DUCKDB_TEMP",
             "EPARCOURS_MEASURE_FROM", "EPARCOURS_MEASURE_THROUGH", "EPARCOURS_TODAY", "EPARCOURS_QUARTER_LAG_DAYS"}


def run_fingerprint(paths: Paths, through: date | None, accepts: list[dict] | None) -> dict | None:
    """What a run's outputs depend on, in parts: ``landing`` (every entry of the landing folder: path, size,
    modification and change times), ``code`` (the version and the newest file of the package, dbt project, seeds
    and suites, and the settings), ``day`` (what is due, the as-of date cap) and ``through``. None when the run must
    run anyway (``--accept``: an override is recorded by a run)."""
    import hashlib

    from .ingestion.discovery import inventory
    from .settings import REPO_ROOT

    if accepts:
        return None
    landing = hashlib.sha256()
    for f in sorted(inventory(paths.landing).files, key=lambda f: f.rel):
        landing.update(f"{f.rel}\0{f.size}\0{f.mtime_ns}\0{f.ctime_ns}\0{f.status}\n".encode())
    newest = max((p.stat().st_mtime_ns for folder in ("dagster_project", "dbt/models", "dbt/macros", "dbt/tests",
                                                        "seeds", "expectations")
                  for p in (REPO_ROOT / folder).rglob("*") if p.suffix in (".py", ".sql", ".yml", ".csv", ".json",
                                                                           ".j2", ".html", ".css", ".js")),
                 default=0)
    settings = sorted((k, v) for k, v in os.environ.items()
                      if k.startswith("EPARCOURS_") and k not in _NEUTRAL_SETTINGS | _EXPORTED)
    settings.append(("EPARCOURS_QUARTER_LAG_DAYS", os.environ.get("EPARCOURS_QUARTER_LAG_DAYS", "45").strip()))
    code = hashlib.sha256(json.dumps([package_version(), newest, settings]).encode()).hexdigest()
    return {"landing": landing.hexdigest(), "code": code, "day": today().isoformat(),
            "through": through.isoformat() if through else None}


def _warehouse_state(paths: Paths) -> list[int] | None:
    try:
        st = paths.warehouse.stat()
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns]


def remember_run(paths: Paths, fingerprint: dict | None, publication_id: str, last_quarter: str | None = None) -> None:
    """After a run that published: what it saw, what it published, the last quarter it computed and the warehouse
    it left."""
    record = {"fingerprint": fingerprint, "publication": publication_id, "warehouse": _warehouse_state(paths),
              "last_quarter": last_quarter,
              "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    (paths.warehouse_dir / LAST_RUN).write_text(json.dumps(record), encoding="utf-8")


def last_run(paths: Paths) -> dict | None:
    try:
        return json.loads((paths.warehouse_dir / LAST_RUN).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def unchanged_since(paths: Paths, fingerprint: dict | None) -> dict | None:
    """The last run, when this one would do exactly what it did: same fingerprint, its publication still the
    current one, and the working warehouse as it left it (no run of the UI, the sensor or ``recompute`` since)."""
    last = last_run(paths)
    if last is None:
        return None
    current = paths.published.resolve().name if paths.published.is_symlink() else None
    if fingerprint is None or last.get("fingerprint") != fingerprint or last.get("publication") != current \
            or last.get("warehouse") != _warehouse_state(paths):
        return None
    return last
