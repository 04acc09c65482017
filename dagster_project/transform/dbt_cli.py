"""``eparcours-dbt``: the dbt command line, with partial parsing kept across warehouses.

dbt re-parses the whole project (11 s here, every invocation) when the "profile" it parsed with changed, and it
counts as profile every connection setting of dbt-duckdb: the warehouse ``path``, the DuckDB ``settings``
(``memory_limit``, ``threads``) and ``config_options`` (``temp_directory``). Ours come from environment variables, set per home by
``Paths.export_env``: every run in a new home, every test, every `eparcours run --home` elsewhere, and the
Dagster UI against the demo paid a full parse for each of its dbt invocations.

None of those settings can change what the parse produces: no model, macro or yml of this project reads
``target.path`` or a DuckDB setting (``tests/dbt/test_dbt_cli.py`` holds the project to that). This entry point
therefore leaves them out of the fingerprint dbt compares; everything else (the database name, schema,
extensions, attachments, plugins, variables, env vars, files) still invalidates the saved parse as usual.
The dagster-dbt resource and the Makefile call dbt through it.
"""
import sys
from pathlib import Path

UNPARSED_KEYS = frozenset({"path", "settings", "config_options"})


def _patch_fingerprint() -> None:
    from dbt.adapters.duckdb.credentials import DuckDBCredentials

    keys = DuckDBCredentials._connection_keys
    if getattr(keys, "_eparcours", False):
        return

    def _connection_keys(self):
        return tuple(k for k in keys(self) if k not in UNPARSED_KEYS)

    _connection_keys._eparcours = True
    DuckDBCredentials._connection_keys = _connection_keys


def dbt_executable() -> Path:
    """This entry point as installed in the running virtualenv (whether or not it is activated)."""
    exe = Path(sys.executable).with_name("eparcours-dbt")
    if not exe.exists():
        raise RuntimeError(f"{exe} is missing: the project is not installed in this virtualenv (make install)")
    return exe


def main() -> int:
    _patch_fingerprint()
    from dbt.cli.main import cli

    return cli()


if __name__ == "__main__":
    sys.exit(main())
