"""A run that finds the working warehouse held by another process (an engineer's DuckDB session, even read-only)
waits a bounded time, then says in one sentence which file, who holds it and what to do; a holder that lets go in
time does not fail the run."""
from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest

from dagster_project.pipeline import PipelineError, warehouse_free
from dagster_project.resources import WarehouseBusy, open_warehouse
from dagster_project.settings import Paths, duckdb_config

HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); print('held', flush=True); " \
       "time.sleep(float(sys.argv[2]))"


def _hold(path, seconds: float) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    return path


def test_a_held_warehouse_is_named_with_its_holder_after_a_bounded_wait(warehouse):
    holder = _hold(warehouse, 30)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseBusy) as e:
            open_warehouse(warehouse, duckdb_config(), wait=1.5, poll=0.2)
        assert time.monotonic() - started >= 1.5
        message = str(e.value)
        assert str(warehouse) in message and f"PID {holder.pid}" in message
        assert "published/warehouse.duckdb" in message and "EPARCOURS_LOCK_WAIT_SECONDS" in message
    finally:
        holder.kill()
        holder.wait()


def test_a_holder_that_lets_go_in_time_does_not_fail_the_run(warehouse):
    holder = _hold(warehouse, 1.0)
    try:
        con = open_warehouse(warehouse, duckdb_config(), wait=20, poll=0.2)
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
        con.close()
    finally:
        holder.wait()


def test_the_pipeline_refuses_to_start_with_one_sentence(tmp_path, monkeypatch):
    paths = Paths(tmp_path / "landing", tmp_path / "home").ensure()
    duckdb.connect(str(paths.warehouse)).close()
    monkeypatch.setenv("EPARCOURS_LOCK_WAIT_SECONDS", "1")
    holder = _hold(paths.warehouse, 30)
    try:
        with pytest.raises(PipelineError, match="is held by PID"):
            warehouse_free(paths)
    finally:
        holder.kill()
        holder.wait()


WRITE = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); " \
        "time.sleep(float(sys.argv[2]))"


def test_eparcours_sql_holds_the_warehouse_only_while_its_query_runs(tmp_path, monkeypatch, capsys):
    """The read-only way for engineers: the query is answered, and the file is free again at once (a writer opens
    it without waiting); while a run writes it, `sql` waits a bounded time and says who writes and what to do."""
    from dagster_project.cli import EXIT_OK, EXIT_USAGE, main

    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    path = home / "warehouse" / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw; CREATE TABLE raw.quarantine AS SELECT 'dmp_documents' AS table_name, "
                "'bad_date' AS rule, 'x;y' AS value")
    con.close()
    assert main(["sql", "SELECT table_name, rule, value FROM raw.quarantine", "--csv", "--home", str(home)]) == EXIT_OK
    assert capsys.readouterr().out == 'table_name;rule;value\ndmp_documents;bad_date;"x;y"\n'
    open_warehouse(path, duckdb_config(), wait=0).close()        # nothing left holding the file
    assert main(["sql", "DROP TABLE raw.quarantine", "--home", str(home)]) == EXIT_USAGE   # read-only
    assert "read-only" in capsys.readouterr().err

    monkeypatch.setenv("EPARCOURS_LOCK_WAIT_SECONDS", "1")
    writer = subprocess.Popen([sys.executable, "-c", WRITE, str(path), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "held"
        assert main(["sql", "SELECT 1", "--home", str(home)]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert f"PID {writer.pid}" in err and "published/warehouse.duckdb" in err and str(path) in err
    finally:
        writer.kill()
        writer.wait()
