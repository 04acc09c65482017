"""The code location loads, its graph does not lose lineage, and every DuckDB step is in the writer pool."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg

from dagster_project.resources import WRITER_POOL

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).with_name("asset_graph_snapshot.json")
UPDATE = "EPARCOURS_UPDATE_SNAPSHOT"


def test_definitions_validate_from_the_command_line(tmp_path):
    """What `make dev` loads: `dagster definitions validate` exits 0 (the manifest is built by the defs fixture)."""
    dagster = Path(sys.executable).with_name("dagster")
    proc = subprocess.run([str(dagster), "definitions", "validate", "-m", "dagster_project.definitions"],
                          check=False, cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DAGSTER_HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def _partitions(pd) -> str | None:
    if pd is None:
        return None
    if isinstance(pd, dg.TimeWindowPartitionsDefinition):  # the start depends on EPARCOURS_FIRST_QUARTER
        return f"time window, cron '{pd.cron_schedule}', {pd.timezone}"
    return str(pd)


def graph_snapshot(defs) -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "partitions": _partitions(node.partitions_def),
        }
    return assets


def test_asset_graph_snapshot(defs):
    """Keys, dependencies, groups and partitions of every asset, compared with the committed snapshot.

    A lost dependency (a dbt source renamed, a raw table whose key no longer matches its dbt source, a
    publication no longer downstream of the gate) shows up here as a diff. After an intended change,
    regenerate with EPARCOURS_UPDATE_SNAPSHOT=1 and review the diff of the JSON file before committing.
    """
    current = graph_snapshot(defs)
    if os.environ.get(UPDATE) == "1":
        SNAPSHOT.write_text(json.dumps(current, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert SNAPSHOT.exists(), f"{SNAPSHOT.name} is missing: run with {UPDATE}=1 once and commit it"
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    lost = sorted(set(expected) - set(current))
    added = sorted(set(current) - set(expected))
    changed = {k: {"expected": expected[k], "current": current[k]}
               for k in sorted(set(expected) & set(current)) if expected[k] != current[k]}
    assert not (lost or added or changed), (
        f"asset graph differs from {SNAPSHOT.name} (set {UPDATE}=1 to regenerate if intended):\n"
        + json.dumps({"lost": lost, "added": added, "changed": changed}, indent=1))


def test_groups_follow_the_schemas(defs):
    for key, node in graph_snapshot(defs).items():
        assert key.split("/")[0] == node["group"], key
    assert {n["group"] for n in graph_snapshot(defs).values()} == {
        "raw", "ref", "staging", "intermediate", "marts", "audit", "publish", "gate"}


def test_lineage_from_landing_to_publication(defs):
    graph = defs.resolve_asset_graph()
    upstream = dg.AssetSelection.assets(["publish", "publication"]).upstream().resolve(graph)
    names = {k.to_user_string() for k in upstream}
    assert {"raw/mss_messages", "staging/stg_mss__messages", "marts/indicator_results",
            "raw/finess_structures", "raw/coord_dossiers"} <= names
    # every table a deliverable reads is in the lineage of the publication; the gate's own models are not
    assert {"publish/indicator_results", "publish/structures", "publish/pooled_results",
            "publish/indicator_results_open", "publish/quarantine_report", "marts/esms_cnsa_figures"} <= names
    assert not any(k.startswith("gate/") for k in names)


def test_every_duckdb_step_is_in_the_writer_pool(defs):
    """DuckDB has one writer per file: an asset or check outside the pool could run beside a writer."""
    graph = defs.resolve_asset_graph()
    for assets_def in graph.assets_defs:
        if assets_def.is_executable:
            assert assets_def.node_def.pool == WRITER_POOL, assets_def.node_def.name
    for checks_def in defs.asset_checks:
        assert checks_def.node_def.pool == WRITER_POOL, checks_def.node_def.name


def test_assets_carry_description_owner_and_kinds(defs):
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        spec = node.assets_def.specs_by_key[key]
        if key.path[0] == "ref":
            continue  # seeds: described in seeds/README.md and their yml
        assert spec.description, key
        assert spec.owners == ["team:ars-data"], key
        assert spec.kinds, key


def test_jobs_executor_and_partitions(defs):
    assert defs.resolve_job_def("quarter_job").partitions_def is not None
    assert defs.resolve_job_def("landing_job").partitions_def is not None
    assert defs.resolve_job_def("publish_job").partitions_def is None
    for name in ("landing_job", "quarter_job", "publish_job", "ingest_job"):
        assert defs.resolve_job_def(name).executor_def.name == "in_process", name
    publish = defs.resolve_job_def("publish_job")
    assert {k.to_user_string() for k in publish.asset_layer.executable_asset_keys} == {"publish/publication"}


def test_dagster_yaml_sets_the_pool_limit(tmp_path, monkeypatch):
    (tmp_path / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    instance = dg.DagsterInstance.get()
    try:
        pool = instance.get_concurrency_config().pool_config
        assert pool.default_pool_limit == 1 and pool.pool_granularity.value == "op"
        assert instance.event_log_storage.supports_global_concurrency_limits
        assert not instance.is_ephemeral  # runs persist: re-execution from failure after a restart
    finally:
        instance.dispose()


def _undescribed(text: str | None) -> bool:
    """No description, or only the one dagster-dbt makes up for a dbt node without one (``dbt model <name>``,
    followed by its SQL)."""
    first = (text or "").strip().split("\n", 1)[0].strip()
    return not first or re.fullmatch(r"dbt (model|seed|snapshot|source) \S+", first) is not None


def test_everything_has_a_description_and_every_asset_an_owner(defs):
    """Every asset, asset check, job, schedule and sensor says what it is; every asset has an owner. A dbt model or
    seed gets its description from its yml (dbt descriptions become the Dagster ones)."""
    graph = defs.resolve_asset_graph()
    missing = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        spec = graph.get(key).assets_def.specs_by_key[key]
        if _undescribed(spec.description):
            missing.append(f"asset {key.to_user_string()}: no description")
        if not spec.owners:
            missing.append(f"asset {key.to_user_string()}: no owner")
    checks = {spec.key: spec for d in [*graph.assets_defs, *defs.asset_checks] for spec in d.check_specs}
    assert len(checks) > 100  # the dbt tests, the landing and pre-publication suites
    missing += [f"asset check {k.to_user_string()}: no description"
                for k, spec in sorted(checks.items(), key=lambda kv: kv[0].to_user_string())
                if not (spec.description or "").strip()]
    jobs = [j for j in defs.resolve_all_job_defs() if not j.name.startswith("__")]  # __ASSET_JOB: Dagster's own
    assert {j.name for j in jobs} >= {"landing_job", "quarter_job", "publish_job", "ingest_job"}
    missing += [f"job {j.name}: no description" for j in jobs if not (j.description or "").strip()]
    missing += [f"schedule {s.name}: no description" for s in defs.schedules if not (s.description or "").strip()]
    missing += [f"sensor {s.name}: no description" for s in defs.sensors if not (s.description or "").strip()]
    assert {s.name for s in defs.sensors} >= {"landing_sensor", "run_failure_alert"}
    assert not missing, "\n".join(missing)
