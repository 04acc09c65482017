"""Real runs of the orchestration jobs (dagster_project/orchestration), in-process, on a copy of the tiny
synthetic region. Here rather than in tests/orchestration/ to share the session's tiny run with the other
end-to-end tests (it takes a minute and a half to build).

- what the landing sensor asks for, executed: a month re-delivered is ingested, its quarter recomputed,
  nothing else materialised and nothing published;
- one indicator of one quarter re-run with the publication (what the UI does for "re-materialise
  marts/ind_… for 2024-10-01, then publish"): the window tables are rebuilt for that quarter only, the
  gate runs, the publication happens in the same run, indicator_results carries its run metadata.

Guards against a Dagster or dagster-dbt upgrade that no longer runs an unpartitioned asset inside a
partitioned run, and against a subset run reading the measure dates of the previous run.
"""
import json
import os
import time

import dagster as dg
import duckdb
import pytest

from dagster_project.orchestration.sensors import read_cursor, run_request_for, scan_landing
from dagster_project.resources import WarehouseResource

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def defs():
    from dagster_project.definitions import defs

    return defs


def execute(defs, job_name, paths, asset_selection, partition_key=None, check_keys=None, tags=None):
    job = defs.resolve_job_def(job_name)
    if asset_selection is not None:
        job = job.get_subset(asset_selection=set(asset_selection),
                             asset_check_selection=None if check_keys is None else set(check_keys))
    paths.export_env()
    return job.execute_in_process(
        partition_key=partition_key, tags=tags, raise_on_error=False, instance=dg.DagsterInstance.ephemeral(),
        resources={"warehouse": WarehouseResource(home=str(paths.home), landing=str(paths.landing))})


def materialized(result) -> dict[str, str | None]:
    return {e.asset_key.to_user_string(): e.partition for e in result.get_asset_materialization_events()}


def test_sensor_request_runs_only_that_table_and_its_quarter(defs, tiny_copy):
    paths = tiny_copy
    cursor = scan_landing(paths.landing, read_cursor(None)).cursor()
    src = paths.landing / "dmp" / "dmp_documents_2024-11.csv"
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    redelivered = src.with_name("dmp_documents_2024-11_v2.csv")
    redelivered.write_text("".join(lines[:-1]), encoding="utf-8")
    os.utime(redelivered, (time.time() + 5, time.time() + 5))
    manifest_before = (paths.published / "manifest.json").read_bytes()

    scan = scan_landing(paths.landing, read_cursor(cursor))
    assert [d.path for d in scan.changed] == ["dmp/dmp_documents_2024-11_v2.csv"]
    request = run_request_for(scan.changed, defs.resolve_asset_graph())
    result = execute(defs, request.job_name, paths, request.asset_selection, request.partition_key,
                     request.asset_check_keys, request.tags)
    assert result.success
    done = materialized(result)
    assert {k for k in done if k.startswith("raw/")} == {"raw/dmp_documents"}
    assert done["marts/indicator_results"] == "2024-10-01"
    assert "publish/publication" not in done
    assert (paths.published / "manifest.json").read_bytes() == manifest_before  # the sensor does not publish
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        status = con.execute("SELECT status FROM raw.ingested_files WHERE file_name = ?",
                             ["dmp/dmp_documents_2024-11_v2.csv"]).fetchone()
    finally:
        con.close()
    assert status == ("loaded",)


def test_one_indicator_one_quarter_then_publication(defs, tiny_copy):
    paths = tiny_copy
    before = json.loads((paths.published / "manifest.json").read_text())["published_at"]
    keys = [dg.AssetKey(["marts", "ind_ep_6_1_dossiers_actifs"]), dg.AssetKey(["marts", "indicator_results"]),
            dg.AssetKey(["publish", "publication"])]
    result = execute(defs, "quarter_job", paths, keys, partition_key="2024-10-01")
    assert result.success
    assert materialized(result) == {"marts/ind_ep_6_1_dossiers_actifs": "2024-10-01",
                                    "marts/indicator_results": "2024-10-01", "publish/publication": None}
    gate = {e.check_name for e in result.get_asset_check_evaluations()}
    assert {"gx_indicator_results", "gx_indicator_targets"} <= gate  # the gate ran before the publication
    assert json.loads((paths.published / "manifest.json").read_text())["published_at"] > before
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        dates = [r[0].isoformat()
                 for r in con.execute("SELECT measure_date FROM intermediate.int_measure_dates").fetchall()]
    finally:
        con.close()
    assert dates == ["2024-12-31"]  # rebuilt for this run's quarter, not left from the full run
    event = next(e for e in result.get_asset_materialization_events()
                 if e.asset_key.to_user_string() == "marts/indicator_results")
    md = event.materialization.metadata
    assert md["last_measure_date"].value == "2024-12-31"
    assert md["results"].value > 0 and 0 <= md["results_meeting_target"].value <= md["results_with_target"].value
    assert "| EP-6.1 |" in md["region_vs_target"].value
