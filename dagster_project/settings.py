"""Where things live. Every path comes from an environment variable with a default under ``data/``.

``EPARCOURS_LANDING``  the landing folder (``data/landing``): drop the regional extracts here.
``EPARCOURS_HOME``     the working home (``data``): ``warehouse/`` (working DuckDB), ``publications/`` and the link
                       ``published`` to the current one, ``exports/`` (deliverables made on demand).
``EPARCOURS_DUCKDB_MEMORY`` / ``EPARCOURS_DUCKDB_THREADS``: DuckDB limits (default 4GB / 2 threads).
``EPARCOURS_PSEUDONYM_KEY`` / ``EPARCOURS_PSEUDONYM_KEY_FILE``, ``EPARCOURS_PUBLISHED_GROUP``: see ``privacy.py``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = REPO_ROOT / "dbt"


@dataclass(frozen=True)
class Paths:
    landing: Path
    home: Path

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def warehouse(self) -> Path:
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        """What consumers read: a link to the current publication (``<home>/publications/<id>``)."""
        return self.home / "published"

    @property
    def exports(self) -> Path:
        """Deliverables made on demand (one project's CNSA files, an audit sample), outside any publication."""
        return self.home / "exports"

    @property
    def tmp(self) -> Path:
        return self.warehouse_dir / "tmp"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    def ensure(self) -> "Paths":
        """The home's folders, private: every file this process creates from now on is its owner's only
        (umask 077); the home is traversable by the publication group, which reads ``published/`` and nothing
        else (``privacy.py``)."""
        from .privacy import private_umask, share_with_group

        private_umask()
        self.home.mkdir(parents=True, exist_ok=True)
        share_with_group(self.home, recursive=False)
        for d in (self.warehouse_dir, self.tmp, self.logs):
            d.mkdir(parents=True, exist_ok=True)
            os.chmod(d, 0o700)
        return self

    def export_env(self) -> None:
        """Make the dbt profile (``env_var``) and any subprocess see the same paths."""
        os.environ["EPARCOURS_LANDING"] = str(self.landing)
        os.environ["EPARCOURS_HOME"] = str(self.home)
        os.environ["EPARCOURS_WAREHOUSE"] = str(self.warehouse)
        os.environ["EPARCOURS_DUCKDB_TEMP"] = str(self.tmp)


def current_paths() -> Paths:
    landing = Path(os.environ.get("EPARCOURS_LANDING", REPO_ROOT / "data" / "landing")).resolve()
    home = Path(os.environ.get("EPARCOURS_HOME", REPO_ROOT / "data")).resolve()
    return Paths(landing, home)


def connect_read_only(path: Path):
    """A read-only connection to a DuckDB file (the working warehouse, the analysts' file) with this process's
    settings: every reader outside the Dagster resource opens files through here (DuckDB refuses two connections to
    one file with different settings in one process)."""
    import duckdb

    return duckdb.connect(str(path), read_only=True, config=duckdb_config())


def duckdb_config(tmp: Path | None = None) -> dict:
    cfg = {
        "memory_limit": os.environ.get("EPARCOURS_DUCKDB_MEMORY", "4GB"),
        "threads": int(os.environ.get("EPARCOURS_DUCKDB_THREADS", "2")),
        "preserve_insertion_order": True,  # ingestion numbers lines in file order
    }
    if tmp is not None:
        cfg["temp_directory"] = str(tmp)
    return cfg


@cache
def package_version() -> str:
    """The installed version of the project ("dev" when run from a checkout that is not installed). Cached: the
    package metadata lookup costs ~20 ms, once per CNSA proof it was 0.6 s of a region publication."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("eparcours-warehouse")
    except PackageNotFoundError:
        return "dev"
