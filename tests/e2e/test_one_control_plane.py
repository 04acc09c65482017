"""One control plane: `eparcours run` and `eparcours recompute` launch the jobs of the code location on the persistent
instance of the home (the one `make dev` shows), so every command-line run is in the UI with its materializations,
check results and logs; the terminal gets a progress display and a summary naming every artefact and the gate's
verdict, never dbt's output nor a colour code.

On the shared tiny run (tests/e2e/conftest.py): a second `run` with nothing new (it stops at once), a third after a
file was touched (the jobs run, ingest nothing, compute the last quarter again and publish the same figures), then a
one-quarter `recompute`."""
import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.cli import main

pytestmark = pytest.mark.slow


def runs_of_the_command_line(instance) -> list[dg.DagsterRun]:
    return list(reversed(instance.get_runs(filters=dg.RunsFilter(tags={"eparcours/launched_by": "command line"}))))


def events(instance, run_id, kind) -> list:
    return [r.event_log_entry.dagster_event for r in
            instance.get_records_for_run(run_id, of_type=kind, limit=10_000).records]


def test_the_command_line_runs_the_jobs_on_the_instance_the_ui_shows(tiny_run, capsys):
    paths, _, _ = tiny_run
    home = paths.home
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    before = con.execute("SELECT count(*), sum(numerator) FROM marts.indicator_results").fetchone()
    con.close()

    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    runs_before = len(runs_of_the_command_line(instance))
    # nothing changed since the shared run: nothing is done, and the current publication is named
    assert main(["run", "--landing", str(paths.landing), "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "Nothing new since the run that finished at" in out and "dashboard/" in out
    assert len(runs_of_the_command_line(instance)) == runs_before
    # a file touched (a restore from backup): the same content, so the jobs run and ingest nothing
    touched = next(paths.landing.rglob("*.csv"))
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    assert main(["run", "--landing", str(paths.landing), "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "Ingested 0 new file(s)" in out and "Quality gate: passed" in out
    # dbt's ~800 lines go to the run's log file, not to the terminal (or the cron mail); no colour code anywhere
    assert " START " not in out and "\x1b" not in out, out[:2000]
    log = Path(out.split("Full log (dbt):", 1)[1].split()[0])
    assert log.parent == home / "logs" and " START " in log.read_text(encoding="utf-8")
    assert "\x1b" not in log.read_text(encoding="utf-8")
    # off a terminal, the progress is plain timestamped lines, one per step at least
    assert "✓ Ingestion: coordination" in out and "✓ Publication" in out
    # every artefact of the publication is named
    for artefact in ("warehouse.duckdb", "indicator_results.csv", "cnsa/", "dashboard/", "rapports/", "open/",
                     "quality/", "manifest.json"):
        assert artefact in out.split("Published at", 1)[1], artefact
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    assert con.execute("SELECT count(*), sum(numerator) FROM marts.indicator_results").fetchone() == before
    con.close()

    ingest, quarter = runs_of_the_command_line(instance)[-2:]
    assert (ingest.job_name, quarter.job_name) == ("ingest_job", "quarter_job")
    assert ingest.status == quarter.status == dg.DagsterRunStatus.SUCCESS
    assert ingest.run_id[:8] in out and quarter.run_id[:8] in out
    # no delivery changed and the code is the same: only the last quarter is computed again (its provisional
    # statuses move with the as-of date), as a range of one
    assert (quarter.tags["dagster/asset_partition_range_start"],
            quarter.tags["dagster/asset_partition_range_end"]) == ("2024-10-01", "2024-10-01")
    assert "quarters computed from 2024-10-01 through 2024-12-31 (those before had no delivery changed" in out
    # materializations: the indicators of the quarter, and the publication
    materialized = events(instance, quarter.run_id, dg.DagsterEventType.ASSET_MATERIALIZATION)
    results = {e.partition for e in materialized if e.asset_key == dg.AssetKey(["marts", "indicator_results"])}
    assert results == {"2024-10-01"}
    assert dg.AssetKey(["publish", "publication"]) in {e.asset_key for e in materialized}
    # check results: the landing checks in the ingestion run, the pre-publication gate in the quarter run
    landing_checks = events(instance, ingest.run_id, dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    gate = [e for e in events(instance, quarter.run_id, dg.DagsterEventType.ASSET_CHECK_EVALUATION)
            if e.event_specific_data.asset_key == dg.AssetKey(["marts", "indicator_results"])]
    assert landing_checks and gate and all(e.event_specific_data.passed for e in gate)
    # and the logs of each step
    assert events(instance, ingest.run_id, dg.DagsterEventType.STEP_START)

    assert main(["recompute", "--measure-date", "2024-12-31", "--landing", str(paths.landing),
                 "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "Quality gate: passed" in out and "dashboard/" in out and "\x1b" not in out and " START " not in out
    (recompute,) = runs_of_the_command_line(instance)[-1:]
    assert recompute.job_name == "quarter_job" and recompute.tags["dagster/partition"] == "2024-10-01"
    assert recompute.status == dg.DagsterRunStatus.SUCCESS and recompute.run_id[:8] in out
