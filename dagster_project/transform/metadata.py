"""Run metadata of ``marts/indicator_results``, shown on its materialization in the Dagster UI.

Read from the working warehouse once dbt has finished (dbt holds the DuckDB file while it runs): how many
results the run produced, how many have a target and meet it, and, for the last measure date of the run,
the region value of every indicator against its target as a markdown table.
"""
from __future__ import annotations

from datetime import date

import dagster as dg

RESULTS = "marts.indicator_results"


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{float(value):g}"


def region_table(rows: list[tuple]) -> str:
    """Markdown table of (indicator_id, subgroup, value, declared_value, target, target_met, status) rows."""
    lines = ["| indicator | subgroup | value | target | met | status |", "|---|---|---:|---:|:-:|---|"]
    for indicator, subgroup, value, declared, target, met, status in rows:
        shown = _fmt(value) if value is not None else (f"declared {declared}" if declared is not None else "—")
        mark = "—" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {indicator} | {subgroup or ''} | {shown} | {_fmt(target)} | {mark} | {status} |")
    return "\n".join(lines)


def indicator_results_metadata(con, first_day: date, through: date) -> dict:
    """Metadata for the measure dates ``first_day .. through`` of this run (``con``: a DuckDB connection)."""
    total, with_target, met, last = con.execute(
        f"""SELECT count(*), count(target_met), count(*) FILTER (WHERE target_met), max(measure_date)
            FROM {RESULTS} WHERE measure_date BETWEEN ? AND ?""", [first_day, through]).fetchone()
    md: dict = {
        "results": total,
        "results_with_target": with_target,
        "results_meeting_target": met,
        "dagster/row_count": total,
    }
    if last is None:
        md["region_vs_target"] = dg.MetadataValue.md(f"No result for the measure dates {first_day} to {through}.")
        return md
    rows = con.execute(
        f"""SELECT indicator_id, subgroup, value, declared_value, target, target_met, status
            FROM {RESULTS} WHERE measure_date = ? AND scope_type = 'region'
            ORDER BY indicator_id, subgroup NULLS FIRST""", [last]).fetchall()
    md["last_measure_date"] = last.isoformat()
    md["region_vs_target"] = dg.MetadataValue.md(
        f"Region, measure date {last.isoformat()}: {sum(r[5] is True for r in rows)} of "
        f"{sum(r[5] is not None for r in rows)} results with a target meet it.\n\n{region_table(rows)}")
    return md
