"""The suite loader refuses suites a person could not act on, and the GX runner reports failures with a sample."""
import json

import duckdb
import pytest

from dagster_project.quality.runner import run_suite
from dagster_project.quality.suites import Expectation, Suite, SuiteError, load_suite


def test_an_expectation_without_business_meaning_is_refused(tmp_path):
    p = tmp_path / "x.json"
    p.write_text(json.dumps({"name": "x", "asset": ["raw", "x"], "kind": "landing", "table": "mss_messages",
                             "expectations": [{"batch": "rows", "type": "expect_column_values_to_not_be_null",
                                               "kwargs": {"column": "a"}, "severity": "error", "meta": {}}]}))
    with pytest.raises(SuiteError, match="what a failure 'means'"):
        load_suite(p)


def test_runner_reports_error_and_warning_with_sample(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.indicator_results AS SELECT * FROM (VALUES "
                "('EP-6.1', 'dac', 'A', NULL, DATE '2024-03-31', 50.0, 40), "
                "('EP-6.1', 'dac', 'A', NULL, DATE '2024-06-30', 95.0, 40), "
                "('EP-6.1', 'dac', 'B', NULL, DATE '2024-03-31', 50.0, 5), "
                "('EP-6.1', 'dac', 'B', NULL, DATE '2024-06-30', 99.0, 5)) "
                "t(indicator_id, scope_type, scope_id, subgroup, measure_date, value, denominator)")
    meta = {"means": "m", "action": "a"}
    suite = Suite("published.indicator_results", ("publish", "indicator_results"), "published", "indicator_results",
                  "", (Expectation("changes", "expect_column_values_to_be_between",
                                   {"column": "abs_change", "max_value": 40, "row_condition": "min_denominator >= 20",
                                    "condition_parser": "pandas"}, "error", meta),
                       Expectation("changes", "expect_column_values_to_be_between",
                                   {"column": "abs_change", "max_value": 60}, "warning", meta)))
    res = run_suite(suite, con)
    assert not res.passed
    (err,) = res.errors            # A jumped 45 points with 40 cases: blocking
    assert err.sample == [45.0] and err.unexpected_count == 1
    assert res.warnings == []      # B jumped 49 points but has 5 cases only: below the warning's 60 too
