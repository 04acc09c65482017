"""Every dbt model, seed and test as Dagster assets and asset checks.

Asset keys follow the schemas: a dbt source ``raw.<table>`` is the ingestion asset ``raw/<table>``; a model
or seed is ``<schema>/<name>`` and sits in the group named after its schema (``ref``, ``staging``,
``intermediate``, ``marts``, ``publish``). dbt tests are attached to their model as asset checks.
"""
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from ..resources import WRITER_POOL
from .project import dbt_project

OWNER = "team:ars-data"


class WarehouseTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # a dbt source raw.<table> is the ingestion asset raw/<table>, whatever the source's name
            return dg.AssetKey([dbt_resource_props["schema"],
                                dbt_resource_props.get("identifier") or dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props.get("schema")
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["schema"]
        return dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props.get("schema")

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return [OWNER]


translator = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    pool=WRITER_POOL,
    name="dbt_warehouse",
)
def dbt_warehouse(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Seeds, staging, intermediate and indicator models, with their tests (dbt build)."""
    yield from dbt.cli(["build"], context=context).stream()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir))
