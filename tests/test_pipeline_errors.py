"""A failed dbt test refuses publication like a gate finding: its business meaning, the model, a sample of failing rows
(never a person identifier) and a short id that `--accept` takes — not the 200-character name dbt generates, nor
'step dbt_indicators failed: DagsterDbtCliRuntimeError' with exit 1. Any other failed step stays a one-sentence error.

Most of it on a tiny fabricated manifest, run_results.json and DuckDB file; one run of the hand-made landing proves
that an accepted test is left out of `dbt build`, recorded, and published over."""
import json
from types import SimpleNamespace as NS

import duckdb
import pytest

from dagster_project.pipeline import GateRefused, PipelineError, judge
from dagster_project.quality.dbt_tests import (DBT_GATE_METADATA, accepted_test_ids, blocking, evaluate, meaning,
                                               short_ids)
from dagster_project.quality.findings import load_results, overrides, refusal_blocks, warning_lines

# ------------------------------------------------------------------------------------------------ a tiny project

NOT_NULL = ("not_null_columns_int_dossiers_measure_date__dossier_id__structure_id__date_ouverture__is_open_at_"
            "measure_date__opened_in_period__snapshot_month__period_start")
NOT_NULL_SQL = """with counts as (
    select
        count(*) filter (where measure_date is null) as null_1,
        count(*) filter (where dossier_id is null) as null_2,
        count(*) filter (where date_ouverture is null) as null_3
    from (select * from "warehouse"."intermediate"."int_dossiers") dbt_subquery
)
select 'measure_date' as column_name, null_1 as null_rows
from counts
where null_1 > 0
union all
select 'dossier_id' as column_name, null_2 as null_rows
from counts
where null_2 > 0
union all
select 'date_ouverture' as column_name, null_3 as null_rows
from counts
where null_3 > 0
"""


def _test(name, kind, model, kwargs, column=None, severity="ERROR", description="", meta=None):
    return {"resource_type": "test", "name": name, "unique_id": f"test.p.{name}.0", "attached_node": model,
            "column_name": column, "description": description, "meta": {}, "tags": [],
            "config": {"severity": severity, "meta": meta or {}, "where": None},
            "depends_on": {"nodes": [model] if model else ["model.p.indicator_results"]},
            "test_metadata": {"name": kind, "kwargs": {**kwargs, "model": "{{ get_where_subquery(ref('x')) }}"}}
            if kind else None}


def tiny_manifest() -> dict:
    model = {"resource_type": "model", "name": "int_dossiers", "unique_id": "model.p.int_dossiers",
             "schema": "intermediate", "config": {"schema": "intermediate"},
             "relation_name": '"warehouse"."intermediate"."int_dossiers"'}
    results = {"resource_type": "model", "name": "indicator_results", "unique_id": "model.p.indicator_results",
               "schema": "marts", "config": {"schema": "marts"},
               "relation_name": '"warehouse"."marts"."indicator_results"'}
    tests = [
        _test(NOT_NULL, "not_null_columns", "model.p.int_dossiers",
              {"column_names": ["measure_date", "dossier_id", "date_ouverture"]}),
        _test("accepted_values_indicator_results_status__final__provisional", "accepted_values",
              "model.p.indicator_results", {"column_name": "status", "values": ["final", "provisional"]}, "status"),
        _test("accepted_values_indicator_results_scope_type__dac__region", "accepted_values",
              "model.p.indicator_results", {"column_name": "scope_type", "values": ["dac", "region"]}, "scope_type"),
        _test("valid_ins_int_dossiers_ins", "valid_ins", "model.p.int_dossiers", {"column_name": "ins"}, "ins",
              severity="warn"),
        _test("assert_every_indicator_present", None, None, {},
              description="an indicator is missing from {n} (indicator x quarter): the report would go without it",
              meta={"action": "drop the missing coord_structures snapshot"}),
    ]
    return {"nodes": {model["unique_id"]: model, results["unique_id"]: results, **{t["unique_id"]: t for t in tests}}}


def tiny_warehouse(path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA intermediate")
    con.execute("""CREATE TABLE intermediate.int_dossiers AS SELECT * FROM (VALUES
        (DATE '2024-03-31', 'D1', 'S_DAC1', DATE '2024-01-15', '1010101001001 32', 'U_D1', '1010101001001 32'),
        (DATE '2024-03-31', 'D8', 'S_DAC1', NULL, '2990101001001 45', 'U_D8', '2990101001001 45'),
        (DATE '2024-03-31', 'D9', 'S_DAC2', NULL, '1770101001001 11', 'U_D9', '1770101001001 11'))
        t(measure_date, dossier_id, structure_id, date_ouverture, ins, usager_id, patient_ins)""")
    return con


def run_results(**status) -> list[dict]:
    m = tiny_manifest()
    by_name = {n["name"]: uid for uid, n in m["nodes"].items() if n["resource_type"] == "test"}
    sql = {NOT_NULL: NOT_NULL_SQL,
           "valid_ins_int_dossiers_ins": 'select ins as invalid_ins from "warehouse"."intermediate"."int_dossiers"',
           "assert_every_indicator_present":
               "select 'EP-6.1' as indicator_id, date '2024-03-31' as measure_date, '1010101001001 32' as patient_ins"}
    out = []
    for name, uid in by_name.items():
        s = status.get(name, "pass")
        out.append({"unique_id": uid, "status": s, "failures": 0 if s == "pass" else 1, "message": None,
                    "compiled_code": sql.get(name, "select 1 as x where false")})
    return out


INS_VALUES = ("1010101001001 32", "2990101001001 45", "1770101001001 11", "U_D8", "U_D9")


# ------------------------------------------------------------------------------------------------ ids and meanings

def test_every_dbt_test_has_a_short_stable_id_and_a_meaning():
    m = tiny_manifest()
    ids = short_ids(m)
    assert sorted(ids.values()) == [
        "dbt.assert_every_indicator_present",                      # a singular test: its name
        "dbt.indicator_results.accepted_values.scope_type",        # the same kind twice on a model: + the column
        "dbt.indicator_results.accepted_values.status",
        "dbt.int_dossiers.not_null_columns",                       # dbt.<model>.<test kind>
        "dbt.int_dossiers.valid_ins"]
    node = m["nodes"][f"test.p.{NOT_NULL}.0"]
    means, action = meaning(node, m, 2, ["date_ouverture"])
    assert means.startswith("a column every indicator of int_dossiers relies on (date_ouverture) is empty on 2 rows")
    assert "report it" in action
    # a test's own yml text wins over the default of its kind
    means, action = meaning(m["nodes"]["test.p.assert_every_indicator_present.0"], m, 3)
    assert means == "an indicator is missing from 3 rows (indicator x quarter): the report would go without it"
    assert action == "drop the missing coord_structures snapshot"


def test_every_test_of_the_project_has_a_unique_id_and_a_meaning_in_plain_words():
    from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets

    from dagster_project.transform.assets import dbt_indicators

    manifest = get_manifest_and_translator_from_dbt_assets([dbt_indicators])[0]
    ids = short_ids(manifest)
    assert len(set(ids.values())) == len(ids) > 150
    for uid, tid in ids.items():
        means, action = meaning(manifest["nodes"][uid], manifest, 3)
        assert "{" not in means + action and len(tid) < 90, (tid, means, action)
    singular = [uid for uid, n in manifest["nodes"].items()
                if n["resource_type"] == "test" and not n.get("test_metadata")]
    assert all(manifest["nodes"][uid]["description"] and manifest["nodes"][uid]["config"]["meta"].get("action")
               for uid in singular), "dbt/tests/singular/_singular__tests.yml: every singular test says what it means"


def test_an_accepted_test_is_run_apart_by_the_dbt_asset_whose_build_would_run_it():
    from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets

    from dagster_project.transform.assets import _dbt_nodes, _tests_run_by, dbt_indicators, dbt_reference

    manifest = get_manifest_and_translator_from_dbt_assets([dbt_indicators])[0]
    ids = short_ids(manifest)
    indicators = {ids[u] for u in _tests_run_by(manifest, _dbt_nodes(dbt_indicators), set())}
    reference = {ids[u] for u in _tests_run_by(manifest, _dbt_nodes(dbt_reference), _dbt_nodes(dbt_indicators))}
    assert not indicators & reference
    assert {"dbt.int_region.relationships", "dbt.assert_every_catalogue_indicator_present_each_quarter",
            "dbt.indicator_results.accepted_values.status"} <= indicators       # read a seed too: still indicators
    assert {"dbt.assert_finess_macro_matches_test_vectors", "dbt.ref_departements.unique"} <= reference
    assert not any(i.startswith("dbt.stg_") for i in indicators | reference)   # tag contract: make test only
    accept = [{"id": "dbt.int_region.relationships@2024-03-31"}, {"id": "dui_evenements.volume_low"}]
    assert list(accepted_test_ids(manifest, accept).values()) == ["dbt.int_region.relationships"]


# ------------------------------------------------------------------------------------------------ the refusal

def test_a_failed_dbt_test_is_a_block_with_meaning_action_sample_and_short_id(tmp_path):
    m = tiny_manifest()
    con = tiny_warehouse(tmp_path / "warehouse.duckdb")
    rr = run_results(**{NOT_NULL: "fail", "valid_ins_int_dossiers_ins": "warn",
                        "assert_every_indicator_present": "fail"})
    suite = evaluate(m, rr, con, "dbt.dbt_indicators")
    (tmp_path / "quality").mkdir()
    (tmp_path / "quality" / "dbt.dbt_indicators.json").write_text(suite.to_json())
    results = load_results(tmp_path / "quality")
    blocks = refusal_blocks(results)
    assert len(blocks) == 2
    nn = next(b for b in blocks if "not_null_columns" in b)
    assert nn.splitlines()[0] == "✗ dbt.int_dossiers.not_null_columns — 2024-03-31 (intermediate/int_dossiers)"
    assert "what it means: a column every indicator of int_dossiers relies on (date_ouverture) is empty on 2 rows" in nn
    assert "what to do:    read the sample and check the landing file" in nn
    assert "· date_ouverture (empty), measure_date 2024-03-31, dossier_id D8, structure_id S_DAC1" in nn
    assert "dossier_id D9" in nn
    assert 'to publish anyway: eparcours run --accept dbt.int_dossiers.not_null_columns@2024-03-31 --reason "…"' in nn
    assert nn.count(NOT_NULL) == 1 and f"  dbt test:      {NOT_NULL}" in nn   # the generated name, once, for engineers
    singular = next(b for b in blocks if "assert_every" in b)
    assert "an indicator is missing from 1 row" in singular
    assert "· indicator_id EP-6.1, measure_date 2024-03-31" in singular
    # never a person identifier, in the blocks nor in the results written
    text = "\n".join(blocks) + (tmp_path / "quality" / "dbt.dbt_indicators.json").read_text()
    assert not any(v in text for v in INS_VALUES)
    assert all("ins" not in s and "patient_ins" not in s and "usager_id" not in s and "invalid_ins" not in s
               for r in suite.results for s in r.sample)
    # a warn test is a warning, not a refusal
    (w,) = warning_lines(results)
    assert w.startswith("⚠ dbt.int_dossiers.valid_ins: ins of int_dossiers has 1 value failing the INS check")
    assert [f["check"] for f in blocking(suite)] == ["dbt.assert_every_indicator_present",
                                                      "dbt.int_dossiers.not_null_columns"]


def test_an_accepted_dbt_test_no_longer_blocks_and_says_who_and_why(tmp_path):
    m = tiny_manifest()
    con = tiny_warehouse(tmp_path / "warehouse.duckdb")
    rr = run_results(**{NOT_NULL: "fail"})
    accept = {"id": "dbt.int_dossiers.not_null_columns@2024-03-31", "reason": "demande en cours", "by": "moi",
              "at": "t"}
    assert accepted_test_ids(m, [accept]) == {f"test.p.{NOT_NULL}.0": "dbt.int_dossiers.not_null_columns"}
    suite = evaluate(m, rr, con, "dbt.dbt_indicators", [accept])
    assert suite.passed and blocking(suite) == []
    (o,) = overrides([json.loads(suite.to_json())])
    assert o["id"] == accept["id"] and o["by"] == "moi" and o["reason"] == "demande en cours"
    assert o["findings"] == ["dbt.int_dossiers.not_null_columns@2024-03-31"]
    # the test-level id accepts every measure date; another test's id accepts nothing
    assert evaluate(m, rr, con, "dbt.x", [{**accept, "id": "dbt.int_dossiers.not_null_columns"}]).passed
    assert not evaluate(m, rr, con, "dbt.x", [{**accept, "id": "dbt.int_dossiers.valid_ins"}]).passed


def test_the_results_are_rewritten_at_every_run_so_an_old_failure_does_not_linger(tmp_path):
    m = tiny_manifest()
    con = tiny_warehouse(tmp_path / "warehouse.duckdb")
    suite = evaluate(m, run_results(), con, "dbt.dbt_indicators")
    assert suite.passed and len(suite.results) == 5 and {r.observed for r in suite.results} == {"passed"}
    assert evaluate(m, [], con, "dbt.dbt_reference").results == []


def dbt_step_failure(refused: list[dict]):
    value = NS(value=refused)
    step = NS(event_type_value="STEP_FAILURE", step_key="dbt_indicators",
              event_specific_data=NS(error=NS(message="x", cls_name="Failure", cause=None),
                                     user_failure_data=NS(metadata={DBT_GATE_METADATA: value})))
    return NS(success=False, all_events=[step], get_asset_check_evaluations=lambda: [])


def test_a_refusing_dbt_step_is_a_gate_refusal_with_the_short_ids(monkeypatch, tmp_path):
    m = tiny_manifest()
    suite = evaluate(m, run_results(**{"assert_every_indicator_present": "fail"}),
                     tiny_warehouse(tmp_path / "warehouse.duckdb"), "dbt.dbt_indicators")
    with pytest.raises(GateRefused) as e:
        judge(dbt_step_failure(blocking(suite)))
    (f,) = e.value.failures
    assert f["check"] == "dbt.assert_every_indicator_present" and f["suite"] == "dbt.dbt_indicators"


def test_the_command_line_prints_the_block_exits_3_and_leaves_published_untouched(monkeypatch, tmp_path, capsys):
    from dagster_project import pipeline
    from dagster_project.cli import EXIT_GATE, main

    m = tiny_manifest()
    landing, home = tmp_path / "landing", tmp_path / "home"
    landing.mkdir()
    published = home / "published"
    published.mkdir(parents=True)
    (published / "indicator_results.csv").write_text("before")
    quality = home / "warehouse" / "quality"
    quality.mkdir(parents=True)
    con = tiny_warehouse(tmp_path / "warehouse.duckdb")

    def refused(paths, through=None, verbose=False, accepts=None, display=None, force=False):
        suite = evaluate(m, run_results(**{NOT_NULL: "fail"}), con, "dbt.dbt_indicators", accepts)
        (quality / "dbt.dbt_indicators.json").write_text(suite.to_json())
        raise GateRefused(blocking(suite))

    monkeypatch.setattr(pipeline, "run_pipeline", refused)
    rc = main(["run", "--landing", str(landing), "--home", str(home)])
    err = capsys.readouterr().err
    assert rc == EXIT_GATE
    assert "PUBLICATION REFUSED by the quality gate (1 blocking failure(s))" in err
    assert "✗ dbt.int_dossiers.not_null_columns — 2024-03-31 (intermediate/int_dossiers)" in err
    assert "--accept dbt.int_dossiers.not_null_columns@2024-03-31" in err and err.count(NOT_NULL) == 1
    assert [p.name for p in published.iterdir()] == ["indicator_results.csv"]
    assert (published / "indicator_results.csv").read_text() == "before"


def test_any_other_step_failure_stays_a_one_sentence_error(monkeypatch):
    error = NS(message="outer", cls_name="DagsterExecutionStepExecutionError",
               cause=NS(message="Catalog Error: table raw.x does not exist", cls_name="CatalogException", cause=None))
    step = NS(event_type_value="STEP_FAILURE", step_key="dbt_indicators",
              event_specific_data=NS(error=error, user_failure_data=None))
    with pytest.raises(PipelineError, match="step dbt_indicators failed: Catalog Error: table raw.x"):
        judge(NS(success=False, all_events=[step], get_asset_check_evaluations=lambda: []))


# ------------------------------------------------------------------------------------------------ one real run

@pytest.mark.slow
def test_an_accepted_dbt_test_is_run_apart_recorded_and_published_over(tmp_path, monkeypatch, capsys):
    """The hand-made region with a region code that is not in ref_regions (EPARCOURS_REGION): the relationships test
    of int_region fails. Without --accept, dbt would skip every model downstream of int_region; with it, the test is
    left out of `dbt build` and run alone: everything is built, the failure is recorded as accepted, and published."""
    from dagster_project.cli import EXIT_OK, main
    from tests.e2e.handmade import build_landing

    monkeypatch.setenv("EPARCOURS_REGION", "99")
    landing = build_landing(tmp_path / "landing")
    home = tmp_path / "home"
    test_id = "dbt.int_region.relationships@2024-03-31"
    rc = main(["run", "--landing", str(landing), "--home", str(home), "--accept", test_id,
               "--reason", "région de test", "--by", "auditeur"])
    out = capsys.readouterr()
    assert rc == EXIT_OK, out.err
    assert f"ACCEPTED {test_id} by auditeur: région de test" in out.out
    manifest = json.loads((home / "published" / "manifest.json").read_text())
    (o,) = [o for o in manifest["overrides"] if o["id"].startswith("dbt.")]
    assert o["id"] == test_id and o["by"] == "auditeur" and o["reason"] == "région de test"
    assert o["means"].startswith("the region code of the warehouse (EPARCOURS_REGION")   # its own yml text
    result = json.loads((home / "warehouse" / "quality" / "dbt.dbt_indicators.json").read_text())
    (r,) = [r for r in result["results"] if r["id"] == "int_region.relationships"]
    assert r["success"] and r["observed"] == "failed on 1 value" and r["sample"][0]["from_field"] == "99"
    assert {r["observed"] for r in result["results"] if r["id"] != "int_region.relationships"} == {"passed"}
    # every model downstream of int_region was built: the region rows carry the region code
    con = duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM publish.indicator_results WHERE scope_id = '99'").fetchone()[0] > 0
