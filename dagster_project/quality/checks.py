"""Blocking Dagster asset checks that run the GX suites of ``expectations/``.

- one check ``gx_landing`` per landing table, on its ingestion asset ``raw/<table>`` (it reads the dbt models
  ``gate.delivery_volumes``, ``delivery_structures``, ``delivery_columns``, ``snapshot_coverage``,
  ``landing_findings`` and ``delivery_freshness``), and ``landing.folder`` on
  ``gate/landing_findings``, all evaluated by one subsettable step ``landing_gate``;
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
LANDING_MODELS = [dg.AssetKey(["gate", name]) for name in ("delivery_volumes", "delivery_structures",
                                                           "delivery_columns", "snapshot_coverage",
                                                           "landing_findings", "delivery_freshness")]
ACCEPT_TAG = "eparcours/accept"


def quality_dir(warehouse: WarehouseResource) -> Path:
    d = warehouse.paths().warehouse_dir / "quality"
    d.mkdir(parents=True, exist_ok=True)
    return d


def run_accepts(context) -> list[dict]:
    """The overrides of this run (``eparcours run --accept ID --reason ...``), from the run's tags."""
    raw = context.run.tags.get(ACCEPT_TAG) if context is not None else None
    return json.loads(raw) if raw else []


def published_deliveries(published: Path) -> set[tuple[str, str, str]]:
    """(table, delivery key, SHA-256) of the landing files of the current publication: already judged."""
    manifest = published / "manifest.json"
    if not manifest.is_file():
        return set()
    files = json.loads(manifest.read_text(encoding="utf-8")).get("landing_files", [])
    return {(f["table"], f["delivery_key"], f["sha256"]) for f in files if f.get("status") == "loaded"}


def evaluate(suite: Suite, warehouse: WarehouseResource, asset_key: dg.AssetKey, check_name: str,
             accepts: list[dict] | None = None):
    from .runner import run_suite

    published = published_deliveries(warehouse.paths().published) if suite.kind == "landing" else set()
    with warehouse.connect(read_only=True) as con:
        result = run_suite(suite, con, published, accepts or [])
    (quality_dir(warehouse) / f"{suite.name}.json").write_text(result.to_json(), encoding="utf-8")
    failed = result.errors or result.warnings
    lines = [f"- **{r.severity.upper()}** `{r.id}` {r.expectation}: {r.observed} — {r.means}. "
             f"Action: {r.action}. Findings: {', '.join(r.findings[:5])}"
             for r in failed]
    lines += [f"- ACCEPTED `{a['id']}` by {a.get('by')} at {a.get('at')}: {a.get('reason')}"
              for r in result.accepted for a in r.accepted]
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
            "accepted": len(result.accepted),
            "rows_validated": dg.MetadataValue.json(result.rows),
            "failures": dg.MetadataValue.md("\n".join(lines) if lines else "all expectations met"),
        },
    )


def landing_checks(suites: list[Suite]) -> dg.AssetChecksDefinition:
    """One ``gx_landing`` check per landing suite, on its asset, all evaluated by one step (subsettable: a
    sensor run of one table evaluates that table's check only). One step instead of one per table saves the
    per-step cost of Dagster (~0.3 s each, two dozen suites) at every run; each check keeps its own result,
    severity and history in the UI."""
    keys = {s.name: dg.AssetKey(list(s.asset)) for s in suites}

    # Not blocking in Dagster's sense: the checks read the dbt models built downstream of the raw tables, so
    # they cannot hold those tables' downstream back; the publication refuses instead (failed_gate_checks), and
    # the command line stops at them (pipeline.GateRefused).
    @dg.multi_asset_check(
        specs=[dg.AssetCheckSpec(
            "gx_landing", asset=keys[s.name], blocking=False,
            additional_deps=[k for k in LANDING_MODELS if k != keys[s.name]],
            description=f"Great Expectations suite {s.name} ({s.source}, with its kind in _kinds.yml): "
                        f"{len(s.expectations)} expectations on each new delivery judged against the table's own "
                        "history (gate.delivery_volumes, delivery_structures), on missing or unreadable "
                        "deliveries (gate.landing_findings) and, for a monthly table, on the months of the quarters "
                        "that are due and have not arrived (gate.delivery_freshness, a warning).") for s in suites],
        can_subset=True,
        pool=WRITER_POOL,
        name="landing_gate",
    )
    def _checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        accepts = run_accepts(context)
        selected = context.selected_asset_check_keys
        for s in suites:
            if dg.AssetCheckKey(keys[s.name], "gx_landing") in selected:
                yield evaluate(s, warehouse, keys[s.name], "gx_landing", accepts)

    return _checks


def pre_publication_checks(suites: list[Suite]) -> dg.AssetChecksDefinition:
    names = {s.name: "gx_" + s.table for s in suites}

    @dg.multi_asset_check(
        specs=[dg.AssetCheckSpec(names[s.name], asset=INDICATOR_RESULTS, blocking=True,
                                 description=f"{s.name}: {s.description}") for s in suites],
        pool=WRITER_POOL,
        name="pre_publication_gate",
    )
    def _checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        accepts = run_accepts(context)
        for s in suites:
            yield evaluate(s, warehouse, INDICATOR_RESULTS, names[s.name], accepts)

    return _checks


def build_quality_checks() -> list:
    suites = load_suites()
    landing = [s for s in suites if s.kind == "landing"]
    published = [s for s in suites if s.kind == "published"]
    return ([landing_checks(landing)] if landing else []) + ([pre_publication_checks(published)] if published else [])


def gate_check_keys() -> list[dg.AssetCheckKey]:
    """The checks the publication waits for: every landing suite, the pre-publication suites and the dbt tests
    of marts/indicator_results."""
    from ..transform.assets import dbt_indicators

    suites = load_suites()
    keys = {dg.AssetCheckKey(INDICATOR_RESULTS, "gx_" + s.table) for s in suites if s.kind == "published"}
    keys |= {dg.AssetCheckKey(dg.AssetKey(list(s.asset)), "gx_landing") for s in suites if s.kind == "landing"}
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
