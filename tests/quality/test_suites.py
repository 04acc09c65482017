"""The suite loader refuses suites a person could not act on, and the GX runner reports failures with a sample."""
import json

import duckdb
import pytest

from dagster_project.quality.runner import run_suite
from dagster_project.quality.suites import Expectation, Suite, SuiteError, load_suite


def test_an_expectation_without_business_meaning_is_refused(tmp_path):
    p = tmp_path / "x.json"
    p.write_text(json.dumps({"name": "x", "asset": ["raw", "x"], "kind": "landing", "table": "mss_messages",
                             "expectations": [{"id": "a", "batch": "rows", "type": "expect_column_values_to_not_be_null",
                                               "kwargs": {"column": "a"}, "severity": "error", "meta": {}}]}))
    with pytest.raises(SuiteError, match="what a failure 'means'"):
        load_suite(p)


def _changes(rows) -> duckdb.DuckDBPyConnection:
    """``publish.indicator_changes`` as the dbt model writes it (its arithmetic is unit-tested in
    dbt/models/publish/indicator_changes.yml): (indicator, scope type, scope, measure date, abs_change,
    min_denominator, jumps_in_quarter, jump_share)."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA publish")
    con.execute("CREATE TABLE publish.indicator_changes (indicator_id VARCHAR, scope_type VARCHAR, scope_id VARCHAR, "
                "subgroup VARCHAR, measure_date DATE, abs_change DOUBLE, min_denominator INTEGER, "
                "jumps_in_quarter INTEGER, jump_share DOUBLE, may_exceed_100 BOOLEAN)")
    con.executemany("INSERT INTO publish.indicator_changes VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, false)", rows)
    # the model's two flags, with the defaults of dbt_project.yml (vars change_min_cases 20, change_jump_points 40)
    con.execute("ALTER TABLE publish.indicator_changes ADD COLUMN enough_cases BOOLEAN")
    con.execute("ALTER TABLE publish.indicator_changes ADD COLUMN is_jump BOOLEAN")
    con.execute("UPDATE publish.indicator_changes SET enough_cases = min_denominator >= 20, "
                "is_jump = abs_change > 40 AND min_denominator >= 20")
    return con


def test_runner_reports_error_and_warning_with_sample(tmp_path):
    con = _changes([("EP-6.1", "dac", "A", "2024-06-30", 45.0, 40, 1, 1.0),    # 50 % -> 95 %, 40 cases
                    ("EP-6.1", "dac", "B", "2024-06-30", 49.0, 5, 1, 1.0)])    # 50 % -> 99 %, 5 cases
    meta = {"means": "m", "action": "a"}
    suite = Suite("published.indicator_results", ("publish", "indicator_results"), "published", "indicator_results",
                  "", (Expectation("jump", "changes", "expect_column_values_to_be_between",
                                   {"column": "abs_change", "max_value": 40, "row_condition": "min_denominator >= 20",
                                    "condition_parser": "pandas"}, "error", meta),
                       Expectation("jump_warning", "changes", "expect_column_values_to_be_between",
                                   {"column": "abs_change", "max_value": 60}, "warning", meta)))
    res = run_suite(suite, con)
    assert not res.passed
    (err,) = res.errors            # A jumped 45 points with 40 cases: blocking
    assert err.unexpected_count == 1
    assert err.findings == ["indicator_results.jump@EP-6.1/dac/A/2024-06-30"]   # the id an override names
    assert err.sample[0]["abs_change"] == 45.0 and err.sample[0]["scope_id"] == "A"
    assert res.warnings == []      # B jumped 49 points but has 5 cases only: below the warning's 60 too


def test_an_accepted_finding_no_longer_blocks_and_records_who_and_why():
    con = _changes([("EP-6.1", "dac", "A", "2024-06-30", 45.0, 40, 2, 1.0),
                    ("EP-6.1", "dac", "C", "2024-06-30", 80.0, 40, 2, 1.0)])
    meta = {"means": "m", "action": "a"}
    suite = Suite("published.indicator_results", ("publish", "indicator_results"), "published", "indicator_results",
                  "", (Expectation("jump", "changes", "expect_column_values_to_be_between",
                                   {"column": "abs_change", "max_value": 40}, "error", meta),))
    accept_a = {"id": "indicator_results.jump@EP-6.1/dac/A/2024-06-30", "reason": "fusion", "by": "x", "at": "t"}
    res = run_suite(suite, con, accepts=[accept_a])
    (r,) = res.results
    assert not r.success and r.accepted == [accept_a]          # C is not accepted: still blocking
    everything = {"id": "indicator_results.jump", "reason": "r", "by": "x", "at": "t"}
    res = run_suite(suite, con, accepts=[everything])
    (r,) = res.results
    assert r.success and r.accepted == [everything] and len(r.findings) == 2
    res = run_suite(suite, con, accepts=[{"id": "indicator_results.other", "reason": "r", "by": "x", "at": "t"}])
    assert not res.results[0].success and res.results[0].accepted == []   # an unrelated id changes nothing


def _jump_suite() -> Suite:
    """The project's own ``jump`` expectation (expectations/published.indicator_results.json), alone."""
    from pathlib import Path
    real = load_suite(Path(__file__).resolve().parents[2] / "expectations" / "published.indicator_results.json")
    return Suite(real.name, real.asset, real.kind, real.table, "",
                 tuple(e for e in real.expectations if e.id == "jump"))


@pytest.mark.parametrize("movers, region_moves, blocks", [
    (1, False, False),   # one ESMS of 10 moved 45 points: news, a warning, not a refusal (it refused seed 4)
    (3, False, True),    # 3 of 10 at once: systemic, an extract
    (0, True, True),     # the region itself moved 45 points
])
def test_only_a_systemic_jump_blocks(movers, region_moves, blocks):
    rows = [("ESMS-DUI-PP", "esms", f"E{i}", "2024-06-30", 45.0 if i < movers else 2.0, 30, movers, movers / 10)
            for i in range(10)]
    rows.append(("ESMS-DUI-PP", "region", "84", "2024-06-30", 45.0 if region_moves else 4.0, 300, movers, movers / 10))
    res = run_suite(_jump_suite(), _changes(rows))
    assert res.passed is not blocks
    if blocks:
        (err,) = res.errors
        assert all(f.startswith("indicator_results.jump@ESMS-DUI-PP/") for f in err.findings)

