"""The first partition: EPARCOURS_FIRST_QUARTER when set, else the first quarter with data of the working warehouse
(the dbt model staging.stg_ingestion__data_window), else 2020-01-01."""
from datetime import date

import duckdb

from dagster_project.partitions import DEFAULT_FIRST_QUARTER, first_quarter


def warehouse(home, first):
    (home / "warehouse").mkdir(parents=True)
    con = duckdb.connect(str(home / "warehouse" / "warehouse.duckdb"))
    con.execute("CREATE SCHEMA staging")
    con.execute("CREATE TABLE staging.stg_ingestion__data_window AS SELECT ?::DATE AS first_quarter_start", [first])
    con.close()


def test_the_partitions_start_at_the_first_quarter_with_data(tmp_path, monkeypatch):
    monkeypatch.delenv("EPARCOURS_FIRST_QUARTER", raising=False)
    monkeypatch.setenv("EPARCOURS_HOME", str(tmp_path))
    assert first_quarter() == DEFAULT_FIRST_QUARTER            # a fresh home: no warehouse yet
    warehouse(tmp_path, date(2022, 7, 1))
    assert first_quarter() == "2022-07-01"
    monkeypatch.setenv("EPARCOURS_FIRST_QUARTER", "2021-01-01")  # the setting wins
    assert first_quarter() == "2021-01-01"


def test_a_warehouse_without_the_window_or_with_no_data_gives_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("EPARCOURS_FIRST_QUARTER", raising=False)
    monkeypatch.setenv("EPARCOURS_HOME", str(tmp_path))
    warehouse(tmp_path, None)
    assert first_quarter() == DEFAULT_FIRST_QUARTER
    (tmp_path / "warehouse" / "warehouse.duckdb").write_bytes(b"not a duckdb file")
    assert first_quarter() == DEFAULT_FIRST_QUARTER
