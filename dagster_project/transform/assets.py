"""Every dbt model, seed and test as Dagster assets and asset checks.

Asset keys follow the schemas: a dbt source ``raw.<table>`` is the ingestion asset ``raw/<table>``; a model
or seed is ``<schema>/<name>`` and sits in the group named after its schema (``ref``, ``staging``,
``intermediate``, ``marts``, ``publish``, ``gate``). dbt tests are attached to their model as asset checks.

Two definitions:
- ``dbt_reference``: seeds, staging views and the ``gate`` models, not partitioned (they describe what is
  loaded and judge the deliveries);
- ``dbt_indicators``: intermediate, indicator and ``publish`` models (what consumers read, rebuilt whole from
  the indicators), partitioned by quarter. A run for one quarter
  (or a range of quarters, as one backfill run) passes its window through environment variables and
  the incremental models replace exactly those quarters.

Both export the warehouse paths (``Paths.export_env``) before calling dbt, so that the dbt profile writes
to the warehouse of the resource whoever launched the run (command line, Dagster UI, schedule, sensor), and
the day and lag the gate judges what is due with (``export_calendar``: ``gate.delivery_freshness``).

Both run dbt through ``dbt_build``: the dbt tests are part of the quality gate. Their results (read from dbt's
``run_results.json``, with a business meaning, a short id and a sample of failing rows: ``quality/dbt_tests.py``)
are written to ``<home>/warehouse/quality/dbt.<asset>.json`` like a GX suite, and a failed ``error`` test fails the
step with a ``dg.Failure`` listing the refused ids (``DBT_GATE_METADATA``), which the command line reports as a
refusal of the gate (exit 3). A test accepted for the run (``eparcours run --accept dbt.<…>``, run tag
``ACCEPT_TAG``) is left out of ``dbt build`` — a failed ``error`` test would make dbt skip every model downstream —
and run alone afterwards, so that its failure is still recorded, as accepted.
"""
import os
import re
import shutil
import time
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from packaging import version

from ..partitions import export_window, measure_window, quarter_start, quarterly_partitions
from ..resources import WRITER_POOL, WarehouseResource
from .dbt_cli import dbt_executable
from .metadata import indicator_results_metadata
from .project import dbt_project

OWNER = "team:ars-data"
INDICATOR_SELECT = "path:models/intermediate path:models/marts path:models/audit path:models/publish"
# Production runs leave out the dbt unit tests and the staging tests that re-check the ingestion's own rules
# (tag contract, dbt_project.yml): both run in `make test`.
PRODUCTION_BUILD = ["build", "--exclude-resource-type", "unit_test"]
INDICATOR_RESULTS = dg.AssetKey(["marts", "indicator_results"])
# Tables of "this run's measure dates", rebuilt from EPARCOURS_MEASURE_FROM/THROUGH by every run; the
# incremental models read them to know which quarters to replace.
WINDOW_MODELS = ("int_measure_dates", "int_esms_measure_windows")
UNIQUE_ID = "dagster_dbt/unique_id"


class WarehouseTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # a dbt source raw.<table> is the ingestion asset raw/<table>, whatever the source's name
            return dg.AssetKey([dbt_resource_props["schema"],
                                dbt_resource_props.get("identifier") or dbt_resource_props["name"]])
        # the relation's name (alias): publish.indicator_results is the model publish_indicator_results
        name = dbt_resource_props.get("alias") or dbt_resource_props["name"]
        return dg.AssetKey([self._schema(dbt_resource_props), name])

    @staticmethod
    def _schema(props: Mapping[str, Any]) -> str:
        return props.get("config", {}).get("schema") or props.get("schema")

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["schema"]
        return self._schema(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return [OWNER]

    def get_asset_check_spec(self, asset_spec, manifest: Mapping[str, Any], unique_id: str, project):
        """A dbt test's check says, in the UI, its short id and what a failure means (quality/dbt_tests.py)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        from ..quality.dbt_tests import meaning, short_ids

        means, _ = meaning(manifest["nodes"][unique_id], manifest)
        return spec._replace(description=f"{short_ids(manifest).get(unique_id, '')}: a failure means {means}")


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
    export_calendar()
    prune_dbt_targets()
    # the tests of intermediate and marts models are run by dbt_indicators, even when they also read a seed
    yield from dbt_build(context, dbt, warehouse, "dbt_reference", downstream=_dbt_nodes(dbt_indicators))


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
    single_quarter = quarter_start(through) == first_day
    try:
        for event in dbt_build(context, dbt, warehouse, "dbt_indicators",
                               measure_date=through.isoformat() if single_quarter else None):
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


def export_calendar() -> None:
    """``EPARCOURS_TODAY`` and ``EPARCOURS_QUARTER_LAG_DAYS`` for dbt (macros ``today`` and ``quarter_lag_days``),
    from the one place Python reads them (``calendar.today``, ``schedules.lag_days``): the freshness of the
    deliveries is judged on the day and with the lag the schedules use. Environment variables, not ``--vars``:
    a new day re-parses the one model that reads them, not the whole project."""
    from ..calendar import today
    from ..orchestration.schedules import lag_days

    os.environ["EPARCOURS_TODAY"] = today().isoformat()
    os.environ["EPARCOURS_QUARTER_LAG_DAYS"] = str(lag_days())


def _dbt_nodes(assets_def: dg.AssetsDefinition, keys=None) -> set[str]:
    """The unique_ids of the dbt models and seeds of a dbt assets definition (those of ``keys`` only, if given)."""
    return {spec.metadata[UNIQUE_ID] for spec in assets_def.specs
            if UNIQUE_ID in spec.metadata and (keys is None or spec.key in keys)}


def _tests_run_by(manifest: Mapping[str, Any], selected: set[str], downstream: set[str]) -> set[str]:
    """The data tests ``dbt build`` runs for these selected nodes (dbt's eager indirect selection: a test with a
    parent selected, none of them built by a later asset; the staging tests of tag contract are never run)."""
    out = set()
    for uid, node in manifest["nodes"].items():
        if node.get("resource_type") != "test" or "contract" in node.get("tags", []):
            continue
        parents = set(node.get("depends_on", {}).get("nodes", []))
        if parents & selected and not parents & downstream:
            out.add(uid)
    return out


def dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, name: str,
              measure_date: str | None = None, downstream: set[str] = frozenset()) -> Iterator:
    """``dbt build`` of this asset (the events dagster-dbt makes of it), then its tests as findings of the quality
    gate: ``<home>/warehouse/quality/dbt.<name>.json`` is rewritten at every run, and a failed ``error`` test that
    is not accepted fails the step with a ``dg.Failure`` carrying the refused ids (``DBT_GATE_METADATA``).

    Accepted tests (``--accept dbt.<model>.<kind>[@<key>]``, read from the run tag ``ACCEPT_TAG``) are excluded from
    the build, so that the models downstream of them are built, then run alone with ``dbt test``; their asset
    checks get a result here (dagster-dbt's stream has none for them)."""
    from ..quality.checks import quality_dir, run_accepts
    from ..quality.dbt_tests import DBT_GATE_METADATA, accepted_test_ids, blocking, evaluate

    manifest, _, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    accepts = run_accepts(context)
    selected = _dbt_nodes(context.assets_def, context.selected_asset_keys)
    accepted = accepted_test_ids(manifest, accepts, _tests_run_by(manifest, selected, set(downstream)))
    names = sorted(manifest["nodes"][uid]["name"] for uid in accepted)
    if names:
        context.log.info("accepted for this run, run apart from the build: " + ", ".join(sorted(accepted.values())))
    args = [*PRODUCTION_BUILD, *(["--exclude", " ".join(names)] if names else [])]
    invocation = dbt.cli(args, context=context)
    error = None
    try:
        yield from invocation.stream()
    except DagsterDbtCliRuntimeError as e:  # failed tests are reported below; any other error is raised after
        error = e
    results = _run_results(invocation)
    if names:  # no context: only these tests, not the asset's selection added to them
        results += _run_results(dbt.cli(["test", "--select", " ".join(names)], raise_on_error=False).wait())
    with warehouse.connect(read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")  # as the dbt profile: the tests compare instants
        suite = evaluate(manifest, results, con, f"dbt.{name}", accepts, measure_date)
    (quality_dir(warehouse) / f"{suite.suite}.json").write_text(suite.to_json(), encoding="utf-8")
    by_test = {r.unique_id: r for r in suite.results}
    for spec in context.assets_def.check_specs:
        uid = spec.metadata.get(UNIQUE_ID)
        if uid in accepted and uid in by_test and spec.key in context.selected_asset_check_keys:
            r = by_test[uid]
            yield dg.AssetCheckResult(
                asset_key=spec.asset_key, check_name=spec.name, passed=r.success,
                severity=dg.AssetCheckSeverity.ERROR if r.severity == "error" else dg.AssetCheckSeverity.WARN,
                metadata={"id": f"dbt.{r.id}", "observed": r.observed, "unique_id": uid,
                          "accepted": dg.MetadataValue.json(r.accepted),
                          "findings": dg.MetadataValue.json(r.findings)})
    refused = blocking(suite)
    if refused:
        raise dg.Failure(
            description=f"the quality gate refused publication: dbt test {', '.join(f['check'] for f in refused)} "
                        f"failed (details in {quality_dir(warehouse) / (suite.suite + '.json')})",
            metadata={DBT_GATE_METADATA: dg.MetadataValue.json(refused)})
    if error is not None:
        raise error


def _run_results(invocation) -> list[dict]:
    try:
        return list(invocation.get_artifact("run_results.json").get("results", []))
    except FileNotFoundError:
        return []


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
    # dbt's output is read in log files, the UI's compute logs and cron mails: no colour codes
    os.environ.setdefault("DBT_USE_COLORS", "false")
    # the dbt of this virtualenv, whether or not the virtualenv is activated (PATH), through the entry point
    # that keeps partial parsing across warehouses (transform/dbt_cli.py)
    return WarehouseDbtResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir),
                                dbt_executable=str(dbt_executable()))
