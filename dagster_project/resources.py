"""The one DuckDB resource: a read-write connection to the working warehouse.

DuckDB allows a single writer per file; every asset that writes is in the Dagster concurrency pool
``duckdb_writer`` (limit 1, see ``dagster.yaml``), and each opens its connection only for its own work.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from .settings import current_paths, duckdb_config

WRITER_POOL = "duckdb_writer"


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
        con = duckdb.connect(str(paths.warehouse), read_only=read_only, config=duckdb_config(paths.tmp))
        con.execute("SET enable_progress_bar = false")  # run logs are read by people, not terminals
        try:
            yield con
        finally:
            con.close()
