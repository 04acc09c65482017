"""The DataFrames a suite validates: small tables pulled from the dbt models that compute what is judged.

Landing suites (one per table, and ``landing.folder``):
  deliveries   ``gate.delivery_volumes`` of the table: one row per delivery in force with its volume,
               dates and quarantine against the table's own history
  structures   ``gate.delivery_structures`` of the table: regular structures missing from a delivery
  columns      ``gate.delivery_columns`` of the table, the same deliveries: columns that do not look like
               their history (emptied, reshaped, repeated)
  coverage     ``gate.snapshot_coverage`` of a reference snapshot table, the same deliveries: entities still
               active in the monthly tables that the snapshot no longer lists
  findings     ``gate.landing_findings`` of the table: missing or unreadable deliveries
  freshness    ``gate.delivery_freshness`` of a monthly table: each month of a quarter that is due, arrived or not
  folder       ``gate.landing_findings`` of no table: unrecognised files, entries that are not files
Only the deliveries that are not part of the current publication are judged (``judged_only``): a delivery is
judged once, when it arrives; the landing-wide findings and the freshness are judged at every run.

Published suites:
  table        the exact table the publication writes (``transform/exposures.py``: a dbt model of schema publish)
  changes      indicator_results only: ``publish.indicator_changes``, each value against the previous quarter
"""
from __future__ import annotations

import pandas as pd

from ..transform.exposures import select_of

# The columns that name a failing row of each batch (the finding id is built from them).
KEYS = {
    "deliveries": ["delivery_key"],
    "structures": ["delivery_key"],
    "columns": ["delivery_key"],
    "coverage": ["delivery_key"],
    "findings": ["finding", "delivery_key"],
    "freshness": ["delivery_key"],
    "folder": ["file_name"],
    "changes": ["indicator_id", "scope_type", "scope_id", "subgroup", "measure_date"],
}

# What a person needs to see of a failing row, beside its key and the value that failed.
CONTEXT = {
    "deliveries": ["file_name", "rows_loaded", "rows_rejected", "recent_median", "history_min", "volume_ratio", "volume_z",
                   "in_month_share", "first_date", "last_date", "trailing_gap_days", "same_content_as"],
    "structures": ["regular_structures", "missing_structures", "missing_volume_share", "missing_examples"],
    "columns": ["file_name", "changed_columns", "changed_examples"],
    "coverage": ["file_name", "previous_key", "active_expected", "active_missing", "missing_examples"],
    "findings": ["file_name", "detail"],
    "freshness": ["quarter", "due_since", "days_overdue", "last_arrived"],
    "folder": ["detail"],
    "changes": ["value", "previous_value", "abs_change", "min_denominator", "jumps_in_quarter", "jump_share"],
}


def landing_sql(table: str | None, batch: str) -> tuple[str, list]:
    if batch == "deliveries":
        return "SELECT * FROM gate.delivery_volumes WHERE table_name = ? ORDER BY delivery_key", [table]
    if batch == "structures":
        return "SELECT * FROM gate.delivery_structures WHERE table_name = ? ORDER BY delivery_key", [table]
    if batch == "columns":
        return "SELECT * FROM gate.delivery_columns WHERE table_name = ? ORDER BY delivery_key", [table]
    if batch == "coverage":
        return "SELECT * FROM gate.snapshot_coverage WHERE table_name = ? ORDER BY delivery_key", [table]
    if batch == "findings":
        return ("SELECT * FROM gate.landing_findings WHERE table_name = ? ORDER BY finding, delivery_key",
                [table])
    if batch == "freshness":
        return "SELECT * FROM gate.delivery_freshness WHERE table_name = ? ORDER BY delivery_key", [table]
    if batch == "folder":
        return "SELECT * FROM gate.landing_findings WHERE table_name IS NULL ORDER BY file_name", []
    raise ValueError(f"unknown landing batch {batch!r}")


def published_sql(table: str, batch: str) -> tuple[str, list]:
    if batch == "table":
        return select_of(table), []
    if batch == "changes" and table == "indicator_results":
        return "SELECT * FROM publish.indicator_changes", []
    raise ValueError(f"unknown published batch {batch!r} for {table}")


def judged_only(df: pd.DataFrame, batch: str, table: str | None, published: set[tuple[str, str, str]],
                judged_keys: set[str] | None = None) -> pd.DataFrame:
    """Drop the deliveries already published (same table, key and content): they were judged when they came."""
    if batch == "deliveries":
        keep = pd.Series([(table, k, s) not in published for k, s in zip(df["delivery_key"], df["file_sha256"])],
                         index=df.index, dtype=bool)
        return df[keep].reset_index(drop=True)
    if batch in ("structures", "columns", "coverage") and judged_keys is not None:
        return df[df["delivery_key"].isin(judged_keys)].reset_index(drop=True)
    return df


def frame(con, kind: str, table: str | None, batch: str) -> pd.DataFrame:
    sql, params = landing_sql(table, batch) if kind == "landing" else published_sql(table, batch)
    return con.execute(sql, params).df()
