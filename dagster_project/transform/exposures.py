"""What the analysts' DuckDB file contains: the tables of schema ``publish`` that the dbt exposure
``analysts_file`` (dbt/models/publish/_exposures.yml) depends on, each copied whole. Every one of them is a dbt
model with its tests; nothing is computed here. The quality gate validates the same tables before the
publication writes them (``quality/batches.py``).
"""
from __future__ import annotations

import json
from functools import lru_cache

from ..settings import DBT_DIR

EXPOSURE = "exposure.eparcours.analysts_file"


@lru_cache(maxsize=1)
def published_tables() -> tuple[str, ...]:
    """The relation names (dbt aliases) of schema publish read by the analysts' file, in the exposure's order."""
    manifest = json.loads((DBT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    exposure = manifest["exposures"][EXPOSURE]
    names = []
    for uid in exposure["depends_on"]["nodes"]:
        node = manifest["nodes"][uid]
        if node.get("schema") != "publish":
            raise ValueError(f"the exposure analysts_file reads {node['name']}, which is not in schema publish")
        names.append(node.get("alias") or node["name"])
    return tuple(names)


def select_of(table: str) -> str:
    """The SELECT the publication writes (and the gate validates) for a published table."""
    if table not in published_tables():
        raise KeyError(f"{table} is not a table of the analysts' file (dbt exposure analysts_file)")
    return f"SELECT * FROM publish.{table}"
