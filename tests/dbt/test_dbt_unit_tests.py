"""Every dbt unit test of the project (the hand-computed rows of dbt/models/**/*.yml: indicator rules, the
region, the gate's delivery statistics) runs here. Production builds leave them out (PRODUCTION_BUILD), so
without this test they would run nowhere.

dbt unit tests read the column types of their inputs from the warehouse: the hand-made raw warehouse of
tests/dbt/raw_fixture.py gets every model built empty (``dbt build --empty``, data tests excluded), and each unit
test runs right after the models it depends on.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from raw_fixture import build_raw_warehouse

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "eparcours-dbt"

pytestmark = pytest.mark.slow


def test_every_dbt_unit_test_passes(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    build_raw_warehouse(warehouse)
    env = {**os.environ, "EPARCOURS_WAREHOUSE": str(warehouse), "EPARCOURS_DUCKDB_TEMP": str(tmp_path / "tmp"),
           "EPARCOURS_DUCKDB_MEMORY": "1GB", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("EPARCOURS_REGION", None)
    target = tmp_path / "target"
    proc = subprocess.run(
        [str(DBT), "build", "--empty", "--exclude-resource-type", "test", "--no-use-colors",
         "--project-dir", str(REPO / "dbt"), "--profiles-dir", str(REPO / "dbt"),
         "--target-path", str(target), "--log-path", str(tmp_path / "logs")],
        cwd=REPO, env=env, capture_output=True, text=True, check=False)
    failed = re.findall(r"Failure in unit_test (\S+)", proc.stdout)
    assert proc.returncode == 0 and not failed, (failed, proc.stdout[-6000:] + proc.stderr[-2000:])
    # every unit test the project defines ran and passed (none silently deselected)
    manifest = json.loads((target / "manifest.json").read_text())
    defined = {u["name"] for u in manifest["unit_tests"].values()}
    results = json.loads((target / "run_results.json").read_text())["results"]
    passed = {r["unique_id"].split(".")[-1] for r in results
              if r["unique_id"].startswith("unit_test.") and r["status"] == "pass"}
    assert len(defined) >= 40 and passed == defined, sorted(defined - passed)
