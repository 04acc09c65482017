"""The schedules' run requests for given dates (default lag 45 days, and a lag set by the environment).

Guards against: computing a quarter before its late extracts arrived, computing it twice, skipping one
after a missed day, and a semestrial publication that never fires or fires every day.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from dagster_project.orchestration.schedules import (
    last_due_quarter_end,
    last_due_semester_end,
    publication_schedule,
    quarter_schedule,
)

PARIS = ZoneInfo("Europe/Paris")


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=6, tzinfo=PARIS)


def quarter_request(day: str):
    return quarter_schedule(dg.build_schedule_context(scheduled_execution_time=at(day)))


@pytest.mark.parametrize("day, key, measure_date", [
    ("2025-02-13", "2024-07-01", "2024-09-30"),  # Q4 2024 due on 14/02/2025 (31/12 + 45 days): not yet
    ("2025-02-14", "2024-10-01", "2024-12-31"),
    ("2025-03-30", "2024-10-01", "2024-12-31"),  # same quarter until the next one is due: same run key
    ("2025-05-15", "2025-01-01", "2025-03-31"),  # 31/03 + 45 days
    ("2025-01-01", "2024-07-01", "2024-09-30"),
])
def test_quarter_schedule_requests_the_last_due_quarter(monkeypatch, day, key, measure_date):
    monkeypatch.delenv("EPARCOURS_QUARTER_LAG_DAYS", raising=False)
    request = quarter_request(day)
    assert isinstance(request, dg.RunRequest)
    assert request.partition_key == key
    assert request.run_key == key  # one run per quarter, whatever the number of evaluations
    assert request.tags["eparcours/measure_date"] == measure_date


def test_quarter_schedule_lag_from_environment(monkeypatch):
    monkeypatch.setenv("EPARCOURS_QUARTER_LAG_DAYS", "10")
    assert quarter_request("2025-01-10").partition_key == "2024-10-01"
    assert quarter_request("2025-01-09").partition_key == "2024-07-01"
    monkeypatch.setenv("EPARCOURS_QUARTER_LAG_DAYS", "0")
    assert quarter_request("2025-01-01").partition_key == "2024-10-01"
    monkeypatch.setenv("EPARCOURS_QUARTER_LAG_DAYS", "quarante")
    with pytest.raises(Exception, match="EPARCOURS_QUARTER_LAG_DAYS"):
        quarter_request("2025-01-01")


def test_quarter_schedule_before_the_first_partition(monkeypatch):
    monkeypatch.delenv("EPARCOURS_QUARTER_LAG_DAYS", raising=False)
    assert isinstance(quarter_request("2020-02-01"), dg.SkipReason)
    assert quarter_request("2020-05-15").partition_key == "2020-01-01"


def test_quarter_schedule_targets_the_partitioned_job_with_the_publication(defs):
    job = defs.resolve_job_def(quarter_schedule.job_name)
    keys = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert {"marts/indicator_results", "publish/publication"} <= keys
    assert not any(k.startswith(("raw/", "staging/")) for k in keys)
    checks = {c.name for c in job.asset_layer.asset_graph.asset_check_keys if c.asset_key.path == [
        "marts", "indicator_results"]}
    assert "gx_indicator_results" in checks


@pytest.mark.parametrize("day, semester_end", [
    ("2025-02-13", "2024-06-30"),
    ("2025-02-14", "2024-12-31"),  # 31/12/2024 + 45 days
    ("2025-08-13", "2024-12-31"),
    ("2025-08-14", "2025-06-30"),  # 30/06/2025 + 45 days
    ("2025-12-31", "2025-06-30"),
])
def test_publication_schedule_twice_a_year(monkeypatch, day, semester_end):
    monkeypatch.delenv("EPARCOURS_QUARTER_LAG_DAYS", raising=False)
    request = publication_schedule(dg.build_schedule_context(scheduled_execution_time=at(day)))
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == f"semester-{semester_end}"
    assert request.partition_key is None
    assert publication_schedule.job_name == "publish_job"


def test_publication_waits_for_a_running_quarter(monkeypatch):
    """The 14/02 quarterly run (Q4) must finish before the semestrial publication of the same day."""
    monkeypatch.delenv("EPARCOURS_QUARTER_LAG_DAYS", raising=False)
    with dg.instance_for_test() as instance:
        instance.add_run(dg.DagsterRun(job_name="quarter_job", run_id="q4-run",
                                       status=dg.DagsterRunStatus.STARTED))
        # as context managers: an evaluation context enters an instance of its own, whose definitions-state
        # storage would otherwise stay installed for the rest of the process (a later in-process run of the
        # pipeline then reads a deleted DAGSTER_HOME)
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=at("2025-02-14")) as context:
            skipped = publication_schedule(context)
        assert isinstance(skipped, dg.SkipReason) and "q4-run" in skipped.skip_message
        instance.delete_run("q4-run")
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=at("2025-02-14")) as context:
            assert isinstance(publication_schedule(context), dg.RunRequest)


def test_due_dates_helpers():
    assert last_due_quarter_end(date(2025, 4, 1), 0) == date(2025, 3, 31)
    assert last_due_quarter_end(date(2025, 3, 31), 0) == date(2025, 3, 31)
    assert last_due_quarter_end(date(2025, 3, 30), 0) == date(2024, 12, 31)
    assert last_due_semester_end(date(2025, 6, 30), 0) == date(2025, 6, 30)
    assert last_due_semester_end(date(2025, 6, 29), 0) == date(2024, 12, 31)
