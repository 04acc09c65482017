"""Quarterly partitions: one partition per calendar quarter, keyed by its first day (``2024-10-01``).

The measure date D of a partition is the quarter's last day; the period is the quarter, both ends
inclusive. A partition (or a range of partitions run as one backfill) reaches dbt as two environment
variables, ``EPARCOURS_MEASURE_FROM`` and ``EPARCOURS_MEASURE_THROUGH``, so that dbt does not re-parse
the project for each quarter (different ``--vars`` invalidate dbt's partial parse).
"""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta

import dagster as dg

from .calendar import quarter_start  # noqa: F401  (re-exported: transform/assets.py imports it from here)

DEFAULT_FIRST_QUARTER = "2020-01-01"


def first_quarter() -> str:
    """The first partition: ``EPARCOURS_FIRST_QUARTER`` when set; else the first quarter with data in the working
    warehouse (``staging.stg_ingestion__data_window``, read when the code location loads, so that the UI, the
    schedules and backfills start where the data does); else 2020-01-01 (a fresh home, or a warehouse held by a run:
    partitions before the data are then listed, empty, until the next load)."""
    explicit = os.environ.get("EPARCOURS_FIRST_QUARTER")
    if explicit:
        return explicit
    from .settings import connect_read_only, current_paths

    warehouse = current_paths().warehouse
    if not warehouse.exists():
        return DEFAULT_FIRST_QUARTER
    try:
        con = connect_read_only(warehouse)
        try:
            row = con.execute("SELECT first_quarter_start FROM staging.stg_ingestion__data_window").fetchone()
        finally:
            con.close()
    except Exception:  # held by a writer, an older warehouse without the model: the default
        return DEFAULT_FIRST_QUARTER
    return row[0].isoformat() if row and row[0] is not None else DEFAULT_FIRST_QUARTER


FIRST_QUARTER = first_quarter()

quarterly_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *",  # a window starts on the first day of each quarter
    start=FIRST_QUARTER,
    fmt="%Y-%m-%d",
    timezone="Europe/Paris",
)


def measure_window(start: datetime | date, end: datetime | date) -> tuple[date, date]:
    """(first day of the first quarter, last measure date) of a time window [start, end)."""
    s = start.date() if isinstance(start, datetime) else start
    e = end.date() if isinstance(end, datetime) else end
    return s, e - timedelta(days=1)


def partition_key_for(measure_date: date) -> str:
    return quarter_start(measure_date).isoformat()


def export_window(first_day: date, measure_through: date) -> None:
    os.environ["EPARCOURS_MEASURE_FROM"] = first_day.isoformat()
    os.environ["EPARCOURS_MEASURE_THROUGH"] = measure_through.isoformat()
