"""Every dbt model, seed and test as Dagster assets and asset checks.

Asset keys follow the schemas: a dbt source ``raw.<table>`` is the ingestion asset ``raw/<table>``; a model
or seed is ``<schema>/<name>`` and sits in the group named after its schema (``ref``, ``staging``,
``intermediate``, ``marts``). dbt tests are attached to their model as asset checks.

Two definitions:
- ``dbt_reference``: seeds and staging views, not partitioned (they describe what is loaded);
- ``dbt_indicators``: intermediate and indicator models, partitioned by quarter. A run for one quarter
  (or a range of quarters, as one backfill run) passes its window through environment variables and
  the incremental models replace exactly those quarters.
"""
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from ..partitions import export_window, measure_window, quarterly_partitions
from ..resources import WRITER_POOL
from .project import dbt_project

OWNER = "team:ars-data"
INDICATOR_SELECT = "path:models/intermediate path:models/marts"


class WarehouseTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # a dbt source raw.<table> is the ingestion asset raw/<table>, whatever the source's name
            return dg.AssetKey([dbt_resource_props["schema"],
                                dbt_resource_props.get("identifier") or dbt_resource_props["name"]])
        return dg.AssetKey([self._schema(dbt_resource_props), dbt_resource_props["name"]])

    @staticmethod
    def _schema(props: Mapping[str, Any]) -> str:
        return props.get("config", {}).get("schema") or props.get("schema")

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["schema"]
        return self._schema(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return [OWNER]


translator = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    exclude=INDICATOR_SELECT,
    pool=WRITER_POOL,
    name="dbt_reference",
)
def dbt_reference(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Seeds (code lists, catalogue, target tiers) and staging views, with their tests."""
    yield from dbt.cli(["build"], context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    select=INDICATOR_SELECT,
    partitions_def=quarterly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WRITER_POOL,
    name="dbt_indicators",
)
def dbt_indicators(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Intermediate and indicator models for the quarters of this run, with their tests."""
    window = context.partition_time_window
    first_day, through = measure_window(window.start, window.end)
    export_window(first_day, through)
    context.log.info(f"measure dates from {first_day} through {through}")
    yield from dbt.cli(["build"], context=context).stream()


def dbt_resource() -> DbtCliResource:
    # the dbt of this virtualenv, whether or not the virtualenv is activated (PATH)
    dbt_exe = Path(sys.executable).with_name("dbt")
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir),
                          dbt_executable=str(dbt_exe) if dbt_exe.exists() else "dbt")
