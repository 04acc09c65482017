"""The DataFrames a suite validates, pulled from DuckDB and filtered first (never a whole 20 M-row table).

Landing tables:
  rows         the rows of the table's most recent delivery (month or snapshot), with, for every date and
               timestamp column, ``<col>__date``, ``<col>__year`` and ``<col>__days_after_delivery`` (days after the end of the
               delivered month / the extraction date: > 0 means an event after the extraction)
  deliveries   one row per current delivery: rows loaded and quarantined, ``quarantine_share``,
               ``ratio_to_previous`` (rows / rows of the previous delivery: a partial extract shows here)
  refused      the files refused whole and not replaced since by a readable delivery of the same key
Published tables:
  table        the exact SELECT the publication writes (``publication/analysts.py``)
  changes      indicator_results only: value against the previous quarter, per structure
"""
from __future__ import annotations

import pandas as pd

from ..ingestion.specs import SPECS_BY_NAME
from ..publication.analysts import PUBLISH_TABLES


def _delivery_end(kind: str) -> str:
    if kind == "snapshot_dated":
        return "CAST(_delivery_key AS DATE)"
    return "CAST(last_day(strptime(_delivery_key || '-01', '%Y-%m-%d')) AS DATE)"


def landing_sql(table: str, batch: str) -> str:
    s = SPECS_BY_NAME[table]
    if batch == "rows":
        end = _delivery_end(s.kind)
        cols = [f'"{c.name}"' for c in s.columns]
        for c in s.columns:
            if c.rule in ("date", "timestamp"):
                d = f'try_cast(left("{c.name}", 10) AS DATE)'
                cols.append(f'{d} AS "{c.name}__date"')
                cols.append(f'year({d}) AS "{c.name}__year"')
                cols.append(f'date_diff(\'day\', {end}, {d}) AS "{c.name}__days_after_delivery"')
        return (f"SELECT {', '.join(cols)}, _delivery_key, _file_name, _line_number, {end} AS _delivery_end "
                f"FROM raw.{table} WHERE _delivery_key = (SELECT max(_delivery_key) FROM raw.{table})")
    if batch == "deliveries":
        return f"""
            WITH f AS (
                SELECT delivery_key, sum(rows_loaded) AS rows_loaded, sum(rows_rejected) AS rows_rejected,
                       string_agg(file_name, ', ') AS files
                FROM raw.ingested_files WHERE table_name = '{table}' AND status = 'loaded' GROUP BY 1
            )
            SELECT delivery_key, files, rows_loaded, rows_rejected,
                   rows_rejected / nullif(rows_loaded + rows_rejected, 0) AS quarantine_share,
                   lag(delivery_key) OVER (ORDER BY delivery_key) AS previous_delivery,
                   lag(rows_loaded) OVER (ORDER BY delivery_key) AS previous_rows_loaded,
                   rows_loaded / nullif(lag(rows_loaded) OVER (ORDER BY delivery_key), 0) AS ratio_to_previous
            FROM f ORDER BY delivery_key"""
    if batch == "refused":
        return f"""
            SELECT r.file_name, r.delivery_key, r.message FROM raw.ingested_files AS r
            WHERE r.table_name = '{table}' AND r.status = 'refused'
              AND NOT EXISTS (SELECT 1 FROM raw.ingested_files AS l WHERE l.table_name = r.table_name
                              AND l.delivery_key = r.delivery_key AND l.status = 'loaded'
                              AND l.ingested_at >= r.ingested_at)"""
    raise ValueError(f"unknown landing batch {batch!r}")


def published_sql(table: str, batch: str) -> str:
    if batch == "table":
        return PUBLISH_TABLES[table]
    if batch == "changes" and table == "indicator_results":
        return """
            SELECT r.indicator_id, r.scope_type, r.scope_id, coalesce(r.subgroup, '') AS subgroup,
                   r.measure_date, p.measure_date AS previous_measure_date, r.value, p.value AS previous_value,
                   abs(r.value - p.value) AS abs_change, least(r.denominator, p.denominator) AS min_denominator
            FROM marts.indicator_results AS r
            JOIN marts.indicator_results AS p
              ON p.indicator_id = r.indicator_id AND p.scope_type = r.scope_type AND p.scope_id = r.scope_id
             AND coalesce(p.subgroup, '') = coalesce(r.subgroup, '')
             AND p.measure_date = CAST(last_day(r.measure_date - INTERVAL 3 MONTH) AS DATE)
            WHERE r.value IS NOT NULL AND p.value IS NOT NULL AND r.denominator IS NOT NULL"""
    raise ValueError(f"unknown published batch {batch!r} for {table}")


def frame(con, kind: str, table: str, batch: str) -> pd.DataFrame:
    sql = landing_sql(table, batch) if kind == "landing" else published_sql(table, batch)
    return con.execute(sql).df()
