"""The landing suites are generated from expectations/landing/ (_kinds.yml and one file per table): the expansion
gives, for every table, the expectations that were written out by hand before (frozen in
fixtures/landing_suites_expected.json), and the loader refuses what a person could not act on, naming the file."""
import json
from dataclasses import asdict
from pathlib import Path

import pytest
import yaml

from dagster_project.quality.suites import EXPECTATIONS_DIR, SuiteError, load_landing_suites, load_suites

FIXTURE = Path(__file__).parent / "fixtures" / "landing_suites_expected.json"
LANDING = EXPECTATIONS_DIR / "landing"

# The only differences with the hand-written suites: two descriptions did not name the structure checks these
# tables have (their structure is their dossier's); the description now lists what the suite's batches judge.
DESCRIPTION_FIXED = {"landing.coord_equipe", "landing.coord_evenements"}


def _expanded():
    out = []
    for s in load_suites():
        if s.kind == "landing":
            d = json.loads(json.dumps(asdict(s), ensure_ascii=False))  # tuples as lists, like the fixture
            d.pop("source")
            out.append(d)
    return out


def test_generated_landing_suites_are_the_hand_written_ones():
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    got = _expanded()
    assert [s["name"] for s in got] == [s["name"] for s in expected]
    for g, e in zip(got, expected):
        # same ids in the same order, same batch, type, kwargs, severity and meta, key order included (the page
        # renders the kwargs in their order)
        assert json.dumps(g["expectations"], ensure_ascii=False) == json.dumps(e["expectations"], ensure_ascii=False), \
            g["name"]
        assert (g["asset"], g["kind"], g["table"]) == (e["asset"], e["kind"], e["table"]), g["name"]
        if g["name"] in DESCRIPTION_FIXED:
            assert g["description"] == e["description"].replace("dates, missing", "dates, structures, missing")
        else:
            assert g["description"] == e["description"], g["name"]


def _copy(tmp_path, **tables) -> Path:
    """expectations/landing/ with its _kinds.yml and the given table files only."""
    d = tmp_path / "landing"
    d.mkdir(parents=True)
    (d / "_kinds.yml").write_text((LANDING / "_kinds.yml").read_text(encoding="utf-8"), encoding="utf-8")
    for name, body in tables.items():
        (d / f"{name}.yml").write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return d


def _one(directory: Path):
    (suite,) = load_landing_suites(directory)
    return {e.id: e for e in suite.expectations}, suite


def test_a_table_override_changes_that_table_only(tmp_path):
    base, _ = _one(_copy(tmp_path / "a", ror_ue={"kind": "snapshot_dated"}))
    exps, suite = _one(_copy(tmp_path / "b", ror_ue={
        "kind": "snapshot_dated",
        "overrides": {"volume_high": {"kwargs": {"max_value": 5}, "meta": {"action": "call {table}'s sender"}}},
        "add": ["structures", {"id": "own", "batch": "deliveries", "type": "expect_column_values_to_not_be_null",
                               "kwargs": {"column": "file_name"}, "meta": {"means": "m", "action": "a"}}]}))
    assert exps["volume_high"].kwargs == base["volume_high"].kwargs | {"max_value": 5}
    assert exps["volume_high"].meta == {"means": base["volume_high"].meta["means"], "action": "call ror_ue's sender"}
    assert exps["volume_low"] == base["volume_low"]
    # a group comes in the catalogue's order (before column_identity), the table's own expectation last
    assert list(exps) == [*list(base)[:9], "structures_missing_volume", "structures_missing_many",
                          "structure_missing", *list(base)[9:], "own"]
    assert exps["own"].severity == "error"
    assert "structures" in suite.description and suite.source.endswith("ror_ue.yml")


@pytest.mark.parametrize("body, message", [
    ({"kind": "weekly"}, r"ror_ue\.yml: kind 'weekly' is not one of"),
    ({"kind": "event_monthly"}, r"ror_ue\.yml: kind 'event_monthly' is for event_monthly tables, and ror_ue is "
                                r"snapshot_dated"),
    ({"kind": "reference_snapshot"}, r"ror_ue\.yml \(_kinds\.yml: snapshot_lost_active\), expectation \d+ uses "
                                     r"\{entity\}"),
    ({"kind": "snapshot_dated", "overrides": {"missing_delivery": {"severity": "warning"}}},
     r"ror_ue\.yml: overrides 'missing_delivery', which is not an expectation of ror_ue"),
    ({"kind": "snapshot_dated", "overrides": {"volume_high": {"severity": "fatal"}}},
     r"ror_ue\.yml \(_kinds\.yml: volume_high\): expectation 6 has severity 'fatal'"),
    ({"kind": "snapshot_dated", "overrides": {"volume_high": {"meta": {"means": ""}}}},
     r"ror_ue\.yml \(_kinds\.yml: volume_high\): expectation 6 .* must say in meta what a failure 'means'"),
    ({"kind": "snapshot_dated", "add": [{"id": "volume_high", "batch": "deliveries", "type": "t",
                                         "meta": {"means": "m", "action": "a"}}]},
     r"ror_ue\.yml: expectation 11 \(t\) needs an id of its own"),
    ({"kind": "snapshot_dated", "add": ["structure"]}, r"ror_ue\.yml: 'structure' is neither an expectation nor"),
    ({"kind": "snapshot_dated", "threshold": 3}, r"ror_ue\.yml: unknown key\(s\) \['threshold'\]"),
])
def test_a_table_file_a_person_could_not_act_on_is_refused_naming_it(tmp_path, body, message):
    with pytest.raises(SuiteError, match=message):
        load_landing_suites(_copy(tmp_path, ror_ue=body))


def test_a_file_for_no_landing_table_is_refused(tmp_path):
    with pytest.raises(SuiteError, match=r"ror_uf\.yml: no landing table 'ror_uf' in dagster_project/ingestion"):
        load_landing_suites(_copy(tmp_path, ror_uf={"kind": "snapshot_dated"}))


def test_a_landing_suite_written_out_whole_beside_its_generated_one_is_refused(tmp_path):
    landing = _copy(tmp_path, ror_ue={"kind": "snapshot_dated"})
    (suite,) = load_landing_suites(landing)
    whole = {"name": suite.name, "asset": list(suite.asset), "kind": "landing", "table": "ror_ue",
             "expectations": [asdict(e) for e in suite.expectations]}
    (tmp_path / "landing.ror_ue.json").write_text(json.dumps(whole), encoding="utf-8")
    with pytest.raises(SuiteError, match=r"landing\.ror_ue\.json: suite landing\.ror_ue is already defined by"):
        load_suites(tmp_path)


def test_a_table_may_word_its_own_description(tmp_path):
    _, suite = _one(_copy(tmp_path, ror_ue={"kind": "snapshot_dated", "description": "UE of {table}: {judged}."}))
    assert suite.description == "UE of ror_ue: quarantine, volume, dates, missing or unreadable deliveries."
