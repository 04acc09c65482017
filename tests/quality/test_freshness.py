"""Freshness per quarter on deliveries unlike the generator's (which delivers every table every month): a table
whose deliveries stop, one that starts in the middle of a quarter, a hole, a refused month, a quarter not yet due.
The dbt model gate.delivery_freshness is built by dbt on the day and lag the pipeline exports
(transform/assets.py export_calendar), then the overdue_month expectation of the landing suites is evaluated
as the gx_landing check does: a WARN naming each month, its quarter and since when it is due, in the check's
metadata, the quality JSON and the run summary."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.ingestion.specs import INGESTED_FILES_DDL, SPECS_BY_NAME
from dagster_project.quality.checks import evaluate, quality_dir
from dagster_project.quality.findings import load_results, warning_lines
from dagster_project.quality.suites import load_suites
from dagster_project.resources import WarehouseResource
from dagster_project.transform.assets import export_calendar

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "eparcours-dbt"

pytestmark = pytest.mark.slow

TODAY = "2025-02-20"  # lag 45: T4 2024 is due since 2025-02-14, T1 2025 not before 2025-05-15


def _months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


DELIVERIES = (
    # coord_messages delivers from January 2024, a v2 replaces March, and stops after August
    [("coord_messages", k, "loaded") for k in _months("2024-01", "2024-08")]
    + [("coord_messages", "2024-03", "replaced")]
    # dui_agenda starts in the middle of T3 2024 (August); its October file was refused whole (it arrived);
    # November is missing (a hole); it delivers the current quarter already (2025-01), which is not due
    + [("dui_agenda", k, "refused" if k == "2024-10" else "loaded") for k in ("2024-08", "2024-09", "2024-10",
                                                                                   "2024-12", "2025-01")]
    # mss_messages is complete through the last due quarter: nothing to report
    + [("mss_messages", k, "loaded") for k in _months("2024-04", "2024-12")]
    # a dated snapshot is not a monthly table: never judged here
    + [("ror_eg", "2024-01-15", "loaded")]
)


def _file(table: str, key: str, status: str) -> str:
    return f"{table}_{key.replace('-', '') if len(key) == 10 else key}{'_v1' if status == 'replaced' else ''}.csv"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    home = tmp_path_factory.mktemp("freshness")
    resource = WarehouseResource(home=str(home / "home"), landing=str(home / "landing"))
    paths = resource.paths()
    con = duckdb.connect(str(paths.warehouse))
    con.execute("CREATE SCHEMA raw")
    con.execute(INGESTED_FILES_DDL)
    at = datetime(2025, 2, 1, tzinfo=timezone.utc)
    for table, key, status in DELIVERIES:
        con.execute("INSERT INTO raw.ingested_files (table_name, source, delivery_key, file_name, file_sha256, "
                    "file_size, physical_lines, blank_lines, other_lines, rows_loaded, rows_rejected, values_flagged, "
                    "reader, status, message, ingested_at) VALUES (?, ?, ?, ?, ?, 10, 2, 0, 0, ?, 0, 0, 'duckdb', ?, ?, ?)",
                    [table, SPECS_BY_NAME[table].source, key, _file(table, key, status), f"{table}{key}{status}",
                     0 if status == "refused" else 1, status,
                     "empty file" if status == "refused" else None, at])
    con.close()
    old = {k: os.environ.get(k) for k in ("EPARCOURS_TODAY", "EPARCOURS_QUARTER_LAG_DAYS")}
    os.environ.update({"EPARCOURS_TODAY": TODAY, "EPARCOURS_QUARTER_LAG_DAYS": "45"})
    try:
        export_calendar()  # what dbt_reference exports before dbt: the same day and lag, validated
        env = {**os.environ, "EPARCOURS_WAREHOUSE": str(paths.warehouse), "EPARCOURS_DUCKDB_TEMP": str(paths.tmp),
               "EPARCOURS_DUCKDB_MEMORY": "1GB", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        proc = subprocess.run(
            [str(DBT), "build", "--no-use-colors", "--project-dir", str(REPO / "dbt"), "--profiles-dir",
             str(REPO / "dbt"), "--target-path", str(home / "target"), "--log-path", str(home / "logs"),
             "--exclude-resource-type", "unit_test",
             "--select", "stg_ingestion__ingested_files stg_ingestion__current_deliveries delivery_freshness"],
            cwd=REPO, env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return resource


def _rows(resource, where: str = "not arrived") -> list[tuple]:
    with resource.connect(read_only=True) as con:
        return con.execute(f"SELECT table_name, delivery_key, quarter, cast(due_since AS varchar), days_overdue "
                           f"FROM gate.delivery_freshness WHERE {where} ORDER BY 1, 2").fetchall()


def test_the_months_due_and_not_arrived(warehouse):
    assert _rows(warehouse) == [
        ("coord_messages", "2024-09", "T3 2024", "2024-11-14", 98),
        ("coord_messages", "2024-10", "T4 2024", "2025-02-14", 6),
        ("coord_messages", "2024-11", "T4 2024", "2025-02-14", 6),
        ("coord_messages", "2024-12", "T4 2024", "2025-02-14", 6),
        ("dui_agenda", "2024-11", "T4 2024", "2025-02-14", 6),
    ]
    # judged from each table's first month: nothing of dui_agenda before August, of mss_messages before April;
    # the quarter not yet due (2025-01) and the snapshot table are not listed
    first = _rows(warehouse, "true")
    assert min(k for t, k, *_ in first if t == "dui_agenda") == "2024-08"
    assert min(k for t, k, *_ in first if t == "mss_messages") == "2024-04"
    assert max(k for _, k, *_ in first) == "2024-12"
    assert {t for t, *_ in first} == {"coord_messages", "dui_agenda", "mss_messages"}


def _freshness_suite(table: str):
    suite = next(s for s in load_suites() if s.name == f"landing.{table}")
    return dataclasses.replace(suite, expectations=tuple(e for e in suite.expectations if e.batch == "freshness"))


def test_the_check_warns_naming_each_month_and_does_not_block(warehouse):
    stopped = _freshness_suite("coord_messages")
    assert [e.id for e in stopped.expectations] == ["overdue_month"]
    key = dg.AssetKey(["raw", "coord_messages"])
    result = evaluate(stopped, warehouse, key, "gx_landing")
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN  # visible, not blocking
    failures = result.metadata["failures"].value
    assert "**WARNING** `overdue_month`" in failures
    assert "coord_messages.overdue_month@2024-09, coord_messages.overdue_month@2024-10" in failures

    # the evidence of each finding: the month, its quarter and since when it is due
    saved = json.loads((quality_dir(warehouse) / "landing.coord_messages.json").read_text(encoding="utf-8"))
    (overdue,) = saved["results"]
    assert overdue["findings"] == [f"coord_messages.overdue_month@{m}" for m in _months("2024-09", "2024-12")]
    assert overdue["sample"][0] == {"delivery_key": "2024-09", "arrived": False, "quarter": "T3 2024",
                                    "due_since": "2024-11-14", "days_overdue": 98, "last_arrived": "2024-08",
                                    "id": "coord_messages.overdue_month@2024-09"}

    complete = evaluate(_freshness_suite("mss_messages"), warehouse, dg.AssetKey(["raw", "mss_messages"]),
                        "gx_landing")
    assert complete.passed

    # the run summary of the command line prints it as a warning that did not block
    lines = warning_lines(load_results(quality_dir(warehouse)))
    assert lines[0].startswith("⚠ coord_messages.overdue_month 2024-09, 2024-10, 2024-11 (+1): no coord_messages "
                               "file for a month of a quarter that is due"), lines
