"""Schedules: a quarter is computed and published once its data is due, and the publication is re-run
every semester.

Extracts of a quarter keep arriving for weeks after it ends (monthly exports, corrections), so a quarter is
*due* ``EPARCOURS_QUARTER_LAG_DAYS`` days (default 45) after its last day: the fourth quarter of 2024
(ending 31/12/2024) is due on 14/02/2025. Both schedules are evaluated every morning and ask for the
last period that is due; the run key makes each period run once, so a day missed (machine off, daemon
stopped) is caught up at the next evaluation, and a period is never computed twice by its schedule.

``quarter_schedule``      ``quarter_job`` for the partition of the last due quarter: indicators, dbt tests,
                          pre-publication gate, publication.
``publication_schedule``  ``publish_job`` for the last due semester end (30/06, 31/12), same lag: the gate
                          and the publication again, after the corrections received since. It waits (skips,
                          and tries again the next morning) while a ``quarter_job`` run is queued or
                          running, so it never publishes before the quarter of the same day is computed.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta

import dagster as dg

from ..calendar import previous_quarter_end, quarter_end
from ..partitions import FIRST_QUARTER, partition_key_for
from .jobs import PUBLISH_JOB, QUARTER_JOB

DEFAULT_LAG_DAYS = 45
TIMEZONE = "Europe/Paris"
QUARTER_CRON = "0 6 * * *"  # every day at 06:00, Paris time
PUBLICATION_CRON = "0 7 * * *"  # an hour later, after the quarterly run of the same day has started


def lag_days() -> int:
    """``EPARCOURS_QUARTER_LAG_DAYS`` (days after the end of a period before its data is complete)."""
    raw = os.environ.get("EPARCOURS_QUARTER_LAG_DAYS", str(DEFAULT_LAG_DAYS))
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"EPARCOURS_QUARTER_LAG_DAYS={raw!r} is not a whole number of days") from None
    if value < 0:
        raise ValueError(f"EPARCOURS_QUARTER_LAG_DAYS={value} is negative")
    return value


def last_due_quarter_end(today: date, lag: int) -> date:
    """The last quarter end E with E + lag <= today."""
    latest = today - timedelta(days=lag)  # a quarter ending on or before this day is due
    q_end = quarter_end(latest)
    return q_end if q_end <= latest else previous_quarter_end(latest)


def last_due_semester_end(today: date, lag: int) -> date:
    """The last 30/06 or 31/12 E with E + lag <= today."""
    latest = today - timedelta(days=lag)
    for candidate in (date(latest.year, 12, 31), date(latest.year, 6, 30), date(latest.year - 1, 12, 31)):
        if candidate <= latest:
            return candidate
    raise AssertionError("unreachable")


def due_quarter_partition(today: date, lag: int) -> str | None:
    """Partition key (first day) of the last due quarter, or None before the first partition."""
    key = partition_key_for(last_due_quarter_end(today, lag))
    return key if key >= FIRST_QUARTER else None


def _today(context: dg.ScheduleEvaluationContext) -> date:
    when = context.scheduled_execution_time or datetime.now().astimezone()
    return when.date()


@dg.schedule(
    name="quarter_schedule",
    cron_schedule=QUARTER_CRON,
    execution_timezone=TIMEZONE,
    job_name=QUARTER_JOB,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every morning: compute and publish the last quarter whose end + EPARCOURS_QUARTER_LAG_DAYS "
                "(default 45) has passed, once (run key = partition key).",
)
def quarter_schedule(context: dg.ScheduleEvaluationContext):
    today, lag = _today(context), lag_days()
    key = due_quarter_partition(today, lag)
    if key is None:
        return dg.SkipReason(f"no quarter is due on {today} (lag {lag} days, first quarter {FIRST_QUARTER})")
    quarter_end = last_due_quarter_end(today, lag)
    return dg.RunRequest(run_key=key, partition_key=key,
                         tags={"eparcours/trigger": "quarter_schedule",
                               "eparcours/measure_date": quarter_end.isoformat(),
                               "eparcours/lag_days": str(lag)})


ACTIVE_STATUSES = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
                   dg.DagsterRunStatus.STARTED]


def _active_quarter_runs(context: dg.ScheduleEvaluationContext) -> list[str]:
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:  # a context built without an instance (unit tests)
        return []
    records = instance.get_run_records(dg.RunsFilter(job_name=QUARTER_JOB, statuses=ACTIVE_STATUSES), limit=5)
    return [r.dagster_run.run_id for r in records]


@dg.schedule(
    name="publication_schedule",
    cron_schedule=PUBLICATION_CRON,
    execution_timezone=TIMEZONE,
    job_name=PUBLISH_JOB,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Semestrial publication: once 30/06 or 31/12 + EPARCOURS_QUARTER_LAG_DAYS has passed, re-run "
                "the pre-publication gate and the publication, once per semester.",
)
def publication_schedule(context: dg.ScheduleEvaluationContext):
    today, lag = _today(context), lag_days()
    semester_end = last_due_semester_end(today, lag)
    if semester_end < date.fromisoformat(FIRST_QUARTER):
        return dg.SkipReason(f"no semester is due on {today} (first quarter {FIRST_QUARTER})")
    active = _active_quarter_runs(context)
    if active:
        return dg.SkipReason(f"quarter_job run {active[0]} is not finished: the semestrial publication "
                             "waits for it (next evaluation tomorrow)")
    return dg.RunRequest(run_key=f"semester-{semester_end.isoformat()}",
                         tags={"eparcours/trigger": "publication_schedule",
                               "eparcours/semester_end": semester_end.isoformat(),
                               "eparcours/lag_days": str(lag)})


schedules = [quarter_schedule, publication_schedule]
