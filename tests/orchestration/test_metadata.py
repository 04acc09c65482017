"""Metadata of marts/indicator_results shown in the UI, computed on a hand-made table (no dbt run).

Guards against: counting results outside the run's quarters, losing declarative indicators (no value),
and a table that says "met" when there is no target.
"""
from datetime import date

import duckdb

from dagster_project.transform.metadata import indicator_results_metadata


def test_indicator_results_metadata():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("""CREATE TABLE marts.indicator_results AS SELECT * FROM (VALUES
        ('EP-6.1', NULL, 'region', '84', 70.83, NULL, 60.0, true, 'final', DATE '2024-12-31'),
        ('EP-6.3', NULL, 'region', '84', 41.67, NULL, 60.0, false, 'final', DATE '2024-12-31'),
        ('EP-INS', NULL, 'region', '84', 83.87, NULL, NULL, NULL, 'final', DATE '2024-12-31'),
        ('1.1', NULL, 'region', '84', NULL, 1, NULL, true, 'final', DATE '2024-12-31'),
        ('EP-3.2', 'VILLE', 'region', '84', 27.27, NULL, 40.0, false, 'provisional', DATE '2024-12-31'),
        ('EP-6.1', NULL, 'dac', '840000001', 50.0, NULL, 60.0, false, 'final', DATE '2024-12-31'),
        ('EP-6.1', NULL, 'region', '84', 10.0, NULL, 60.0, false, 'final', DATE '2024-09-30')
    ) t(indicator_id, subgroup, scope_type, scope_id, value, declared_value, target, target_met, status,
        measure_date)""")
    md = indicator_results_metadata(con, date(2024, 10, 1), date(2024, 12, 31))
    assert md["results"] == 6 and md["dagster/row_count"] == 6  # the 2024-09-30 row is not of this run
    assert md["results_with_target"] == 5
    assert md["results_meeting_target"] == 2
    assert md["last_measure_date"] == "2024-12-31"
    table = md["region_vs_target"].value
    assert "| EP-6.1 |  | 70.83 | 60 | yes | final |" in table
    assert "| EP-6.3 |  | 41.67 | 60 | **no** | final |" in table
    assert "| EP-INS |  | 83.87 | — | — | final |" in table
    assert "| 1.1 |  | declared 1 | — | yes | final |" in table
    assert "| EP-3.2 | VILLE | 27.27 | 40 | **no** | provisional |" in table
    assert "840000001" not in table  # region scope only
    assert "2 of 4 results with a target meet it" in table

    empty = indicator_results_metadata(con, date(2023, 1, 1), date(2023, 3, 31))
    assert empty["results"] == 0 and "No result" in empty["region_vs_target"].value
