"""The run-failure sensor on a temporary persistent instance: a job executed in-process (as the command line runs
the jobs) fails, the sensor is evaluated as the daemon does (with its repository), and one plain line is appended
to the alert file: UTC time, job, run id, partition range, first failed step and the first line of its error only
(no trace, NIR-shaped values masked, at most 300 characters). A run that succeeds writes nothing. The default scope
of a run status sensor would not have seen that run at all: the reason for monitor_all_code_locations."""
from __future__ import annotations

import re

import dagster as dg
import pytest

from dagster_project.orchestration.sensors import ALERT_MESSAGE_LIMIT, alert_file, run_failure_alert

NIR = "185057800608491"  # NIR-shaped (a value an error message could carry): never written


@dg.op
def ingest(context):
    context.log.info("ok")


@dg.op
def compute(context, _upstream):
    raise ValueError(f"duplicate key for {NIR} in raw.dui_dossiers\n" + "x" * 500 + "\nTraceback (most recent call)")


@dg.job
def failing_job():
    compute(ingest())


@dg.job
def passing_job():
    ingest()


def tick(sensor, instance, cursor):
    # as the daemon evaluates it: a sensor of a repository (a run executed in-process has none)
    context = dg.build_sensor_context(instance=instance, cursor=cursor, repository_name="__repository__")
    return sensor.evaluate_tick(context).cursor


@pytest.fixture
def instance(tmp_path):
    (tmp_path / "dagster_home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as inst:
        assert not inst.is_ephemeral
        yield inst


def test_a_failed_in_process_run_appends_one_line(instance, tmp_path, monkeypatch):
    alerts = tmp_path / "ops" / "alerts.log"
    monkeypatch.setenv("EPARCOURS_ALERT_FILE", str(alerts))
    assert alert_file() == alerts

    seen_by_default = []

    @dg.run_failure_sensor(name="default_scope")
    def default_scope(context: dg.RunFailureSensorContext):
        seen_by_default.append(context.dagster_run.run_id)

    cursor = tick(run_failure_alert, instance, None)  # first evaluation: starts from now
    default_cursor = tick(default_scope, instance, None)
    assert not alerts.exists()

    passing_job.execute_in_process(instance=instance)
    failed = failing_job.execute_in_process(
        instance=instance, raise_on_error=False,
        tags={"dagster/asset_partition_range_start": "2024-01-01", "dagster/asset_partition_range_end": "2024-10-01"})
    assert not failed.success

    cursor = tick(run_failure_alert, instance, cursor)
    tick(default_scope, instance, default_cursor)
    (line,) = alerts.read_text(encoding="utf-8").splitlines()
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) FAILED failing_job run ([0-9a-f-]{36}) "
                     r"partition 2024-01-01\.\.\.2024-10-01: step compute failed: (.*)", line)
    assert m, line
    assert m.group(2) == failed.run_id
    message = m.group(3)
    assert message == "ValueError: duplicate key for <INS masqué> in raw.dui_dossiers"  # the first line only
    assert NIR not in line and "Traceback" not in line and "xxx" not in line
    assert len(message) <= ALERT_MESSAGE_LIMIT
    # Dagster's default scope (the sensor's own code location) never sees a run without a remote origin
    assert seen_by_default == []

    # the next evaluation appends nothing for the same run; a second failure is a second line
    cursor = tick(run_failure_alert, instance, cursor)
    assert len(alerts.read_text(encoding="utf-8").splitlines()) == 1
    again = failing_job.execute_in_process(instance=instance, raise_on_error=False, partition_key=None,
                                           tags={"dagster/partition": "2024-10-01"})
    tick(run_failure_alert, instance, cursor)
    lines = alerts.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and f"run {again.run_id} partition 2024-10-01: step compute failed" in lines[1]


def test_the_default_alert_file_is_in_the_home(tmp_path, monkeypatch):
    monkeypatch.delenv("EPARCOURS_ALERT_FILE", raising=False)
    monkeypatch.setenv("EPARCOURS_HOME", str(tmp_path / "home"))
    assert alert_file() == (tmp_path / "home").resolve() / "alerts.log"


def test_a_long_first_line_is_cut_to_300_characters():
    from dagster_project.orchestration.sensors import _one_line

    cut = _one_line("\n  E" + "e" * 500 + f" {NIR}\nsecond line")
    assert len(cut) == ALERT_MESSAGE_LIMIT and cut.endswith("…") and cut.startswith("Eeee")
    assert _one_line(f"dossier {NIR};{NIR} refused") == "dossier <INS masqué>;<INS masqué> refused"
