"""Blocking Dagster asset checks that run the GX suites of ``expectations/``.

- one check ``gx_landing`` per landing table, on its ingestion asset ``raw/<table>``;
- the published-table suites run together as ``pre_publication`` checks on ``marts/indicator_results``
  (the tables the publication writes are SELECTs over the working warehouse, validated before writing).

A failed expectation of severity ``error`` makes the check fail with severity ERROR: blocking checks stop
everything downstream in the run, so the publication does not happen. Warnings fail with severity WARN
and do not block. Each evaluation is also written as JSON to ``<home>/warehouse/quality/<suite>.json``
(the publication copies them to ``published/quality/`` with an HTML page).
"""
import json
from pathlib import Path

import dagster as dg

from ..resources import WRITER_POOL, WarehouseResource
from .suites import Suite, load_suites

INDICATOR_RESULTS = dg.AssetKey(["marts", "indicator_results"])


def quality_dir(warehouse: WarehouseResource) -> Path:
    d = warehouse.paths().warehouse_dir / "quality"
    d.mkdir(parents=True, exist_ok=True)
    return d


def evaluate(suite: Suite, warehouse: WarehouseResource, asset_key: dg.AssetKey, check_name: str):
    from .runner import run_suite

    with warehouse.connect(read_only=True) as con:
        result = run_suite(suite, con)
    (quality_dir(warehouse) / f"{suite.name}.json").write_text(result.to_json(), encoding="utf-8")
    failed = result.errors or result.warnings
    lines = [f"- **{r.severity.upper()}** `{r.batch}` {r.expectation}: {r.observed} — {r.means}. "
             f"Action: {r.action}. Sample: {json.dumps(r.sample[:5], ensure_ascii=False, default=str)}"
             for r in failed]
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=check_name,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if result.errors else dg.AssetCheckSeverity.WARN,
        metadata={
            "suite": suite.name,
            "expectations": len(result.results),
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "rows_validated": dg.MetadataValue.json(result.rows),
            "failures": dg.MetadataValue.md("\n".join(lines) if lines else "all expectations met"),
        },
    )


def landing_check(suite: Suite) -> dg.AssetChecksDefinition:
    key = dg.AssetKey(list(suite.asset))

    @dg.asset_check(asset=key, name="gx_landing", blocking=True, pool=WRITER_POOL,
                    description=f"Great Expectations suite {suite.name} (expectations/{suite.name}.json): "
                                f"{len(suite.expectations)} expectations on the latest delivery, the volumes and "
                                "quarantine share of every delivery, and refused files.")
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        return evaluate(suite, warehouse, key, "gx_landing")

    return _check


def pre_publication_checks(suites: list[Suite]) -> dg.AssetChecksDefinition:
    names = {s.name: "gx_" + s.table for s in suites}

    @dg.multi_asset_check(
        specs=[dg.AssetCheckSpec(names[s.name], asset=INDICATOR_RESULTS, blocking=True,
                                 description=f"{s.name}: {s.description}") for s in suites],
        pool=WRITER_POOL,
        name="pre_publication_gate",
    )
    def _checks(warehouse: WarehouseResource):
        for s in suites:
            yield evaluate(s, warehouse, INDICATOR_RESULTS, names[s.name])

    return _checks


def build_quality_checks() -> list:
    suites = load_suites()
    landing = [landing_check(s) for s in suites if s.kind == "landing"]
    published = [s for s in suites if s.kind == "published"]
    return landing + ([pre_publication_checks(published)] if published else [])



def gate_check_keys() -> list[dg.AssetCheckKey]:
    """The checks of marts/indicator_results: the pre-publication suites and the dbt tests of the model."""
    from ..transform.assets import dbt_indicators

    keys = {dg.AssetCheckKey(INDICATOR_RESULTS, "gx_" + s.table) for s in load_suites() if s.kind == "published"}
    keys |= {k for k in dbt_indicators.check_keys if k.asset_key == INDICATOR_RESULTS}
    return sorted(keys, key=lambda k: k.name)


def failed_gate_checks(instance) -> list[str]:
    """Checks of ``marts/indicator_results`` whose latest evaluation failed with severity ERROR.

    Within one run a failed blocking check already stops the publication. This covers a publication
    launched in another run: an asset backfill of indicators + publication runs the publication in its own
    run once the partitions are materialised, even when a check of the last run failed. (The command line
    uses a fresh instance per stage and stops at the gate itself.)"""
    failed = []
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(gate_check_keys())
    for key, record in latest.items():
        if record.status.value != "FAILED":
            continue
        evaluation = record.event.asset_check_evaluation if record.event else None
        if evaluation is None or evaluation.severity == dg.AssetCheckSeverity.ERROR:
            failed.append(key.name)
    return sorted(failed)
