"""Every dbt model, seed and test as Dagster assets and asset checks.

Asset keys follow the schemas: a dbt source ``raw.<table>`` is the ingestion asset ``raw/<table>``; a model
or seed is ``<schema>/<name>`` and sits in the group named after its schema (``ref``, ``staging``,
``intermediate``, ``marts``). dbt tests are attached to their model as asset checks.

Two definitions:
- ``dbt_reference``: seeds and staging views, not partitioned (they describe what is loaded);
- ``dbt_indicators``: intermediate and indicator models, partitioned by quarter. A run for one quarter
  (or a range of quarters, as one backfill run) passes its window through environment variables and
  the incremental models replace exactly those quarters.

Both export the warehouse paths (``Paths.export_env``) before calling dbt, so that the dbt profile writes
to the warehouse of the resource whoever launched the run (command line, Dagster UI, schedule, sensor).
"""
import re
import shutil
import time
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from packaging import version

from ..partitions import export_window, measure_window, quarterly_partitions
from ..resources import WRITER_POOL, WarehouseResource
from .dbt_cli import dbt_executable
from .metadata import indicator_results_metadata
from .project import dbt_project

OWNER = "team:ars-data"
INDICATOR_SELECT = "path:models/intermediate path:models/marts"
# Production runs leave out the dbt unit tests and the staging tests that re-check the ingestion's own rules
# (tag contract, dbt_project.yml): both run in `make test`.
PRODUCTION_BUILD = ["build", "--exclude-resource-type", "unit_test"]
INDICATOR_RESULTS = dg.AssetKey(["marts", "indicator_results"])
# Tables of "this run's measure dates", rebuilt from EPARCOURS_MEASURE_FROM/THROUGH by every run; the
# incremental models read them to know which quarters to replace.
WINDOW_MODELS = ("int_measure_dates", "int_esms_measure_windows")


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
    exclude=f"{INDICATOR_SELECT} tag:contract",
    pool=WRITER_POOL,
    name="dbt_reference",
)
def dbt_reference(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Seeds (code lists, catalogue, target tiers) and staging views, with their tests."""
    warehouse.paths().export_env()
    prune_dbt_targets()
    yield from dbt.cli(PRODUCTION_BUILD, context=context).stream()


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
def dbt_indicators(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Intermediate and indicator models for the quarters of this run, with their tests."""
    warehouse.paths().export_env()
    window = context.partition_time_window
    first_day, through = measure_window(window.start, window.end)
    export_window(first_day, through)
    context.log.info(f"measure dates from {first_day} through {through}")
    prune_dbt_targets()
    refresh_window_models(context, dbt)
    # The materialization of marts/indicator_results is held back until dbt has finished (dbt holds the
    # DuckDB file while it runs), then emitted with the results of the run read from the warehouse.
    held: list = []
    try:
        for event in dbt.cli(PRODUCTION_BUILD, context=context).stream():
            if held or (isinstance(event, dg.Output)
                        and context.asset_key_for_output(event.output_name) == INDICATOR_RESULTS):
                held.append(event)
            else:
                yield event
    except Exception:
        yield from held  # what dbt did build stays recorded; the step still fails
        raise
    if held:
        with warehouse.connect(read_only=True) as con:
            metadata = indicator_results_metadata(con, first_day, through)
        yield held[0].with_metadata({**held[0].metadata, **metadata})
        yield from held[1:]


def refresh_window_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> None:
    """A run of a few indicator models (one indicator for one quarter, selected in the UI) must not read the
    measure dates of the previous run: rebuild the window tables first when the selection leaves them out."""
    selected = {key.path[-1] for key in context.selected_asset_keys}
    if all(model in selected for model in WINDOW_MODELS):
        return
    context.log.info(f"subset run: rebuilding {', '.join(WINDOW_MODELS)} for this run's measure dates first")
    dbt.cli(["run", "--select", " ".join(WINDOW_MODELS)]).wait()


# dagster-dbt gives every dbt invocation its own target folder (dbt/target/<asset>-<run>-<hash>/ or <hash>/:
# artifacts and dbt.log, 10-20 MB each). The dbt output is also in each run's compute logs, so folders older
# than a day are removed: a scheduled deployment would otherwise fill the disk. (Never a recent one: another
# process may be using it.)
INVOCATION_DIR = re.compile(r"(?:\w+-[0-9a-f]{7}-)?[0-9a-f]{7}")
TARGET_MAX_AGE_HOURS = 24


def prune_dbt_targets(target: Path | None = None, max_age_hours: float = TARGET_MAX_AGE_HOURS) -> list[str]:
    target = target or Path(dbt_project.project_dir) / "target"
    cutoff = time.time() - max_age_hours * 3600
    removed = []
    for d in target.iterdir() if target.is_dir() else []:
        if d.is_dir() and INVOCATION_DIR.fullmatch(d.name) and d.stat().st_mtime < cutoff:
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d.name)
    return removed


class WarehouseDbtResource(DbtCliResource):
    """dagster-dbt's resource without the two things it does in this process before every dbt command (9 s of
    each invocation, 3 per run, measured): ``dbt --version`` in a subprocess (the dbt run is this virtualenv's
    dbt-core, whose version is known) and a dbt adapter loaded in-process with every macro of the project,
    used only to fetch column metadata from the database, which these assets never ask for."""

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource() -> DbtCliResource:
    # the dbt of this virtualenv, whether or not the virtualenv is activated (PATH), through the entry point
    # that keeps partial parsing across warehouses (transform/dbt_cli.py)
    return WarehouseDbtResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir),
                                dbt_executable=str(dbt_executable()))
