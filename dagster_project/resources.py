"""The one DuckDB resource: a read-write connection to the working warehouse.

DuckDB allows a single writer per file; every asset that writes is in the Dagster concurrency pool
``duckdb_writer`` (limit 1, see ``dagster.yaml``), and each opens its connection only for its own work.
"""
from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from .settings import current_paths, duckdb_config

WRITER_POOL = "duckdb_writer"
LOCK_WAIT_ENV = "EPARCOURS_LOCK_WAIT_SECONDS"


class WarehouseBusy(RuntimeError):
    """The working warehouse is held by another process for longer than the run may wait."""


def _holder(message: str) -> str:
    """« PID 1234: python3 » from DuckDB's lock error, or « another process »."""
    m = re.search(r"Conflicting lock is held in (.*?) \(PID (\d+)\)", message)
    return f"PID {m.group(2)}: {m.group(1)}" if m else "another process"


def open_warehouse(path: Path, config: dict, wait: float | None = None, poll: float = 1.0, read_only: bool = False):
    """A read-write connection to ``path`` (read-only with ``read_only``). While another process holds the file (an
    engineer's DuckDB session, even read-only, locks it against a writer; a run's writer locks it against everyone),
    wait up to ``wait`` seconds (``EPARCOURS_LOCK_WAIT_SECONDS``, default 60), then give up with one sentence: which
    file, who holds it, what to do."""
    if wait is None:
        wait = float(os.environ.get(LOCK_WAIT_ENV, "60"))
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise
            if time.monotonic() >= deadline:
                waited = f"waited {wait:g} s, {LOCK_WAIT_ENV}"
                raise WarehouseBusy(
                    f"the working warehouse {path} is being written by {_holder(str(e))} (a run): query again when "
                    f"it ends, or query the published copy published/warehouse.duckdb ({waited})." if read_only else
                    f"the working warehouse {path} is held by {_holder(str(e))}: a DuckDB session open on it, even "
                    f"read-only, blocks every run. Close that session and run again; to query while runs go on, use "
                    f"`eparcours sql` or the analysts' copy published/warehouse.duckdb ({waited})."
                ) from None
            time.sleep(poll)


class WarehouseResource(dg.ConfigurableResource):
    """Working warehouse (``<home>/warehouse/warehouse.duckdb``) and the landing folder."""

    home: str = ""
    landing: str = ""

    def paths(self):
        p = current_paths()
        from .settings import Paths

        return Paths(Path(self.landing).resolve() if self.landing else p.landing,
                     Path(self.home).resolve() if self.home else p.home).ensure()

    @contextmanager
    def connect(self, read_only: bool = False):
        paths = self.paths()
        if read_only:
            con = duckdb.connect(str(paths.warehouse), read_only=True, config=duckdb_config(paths.tmp))
        else:
            con = open_warehouse(paths.warehouse, duckdb_config(paths.tmp))
        con.execute("SET enable_progress_bar = false")  # run logs are read by people, not terminals
        try:
            yield con
        finally:
            con.close()
