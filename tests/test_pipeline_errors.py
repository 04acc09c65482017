"""A failed dbt test that is not a Dagster asset check (a singular test over several models) refuses publication
like any gate check, naming the test, instead of printing 'step dbt_indicators failed: DagsterDbtCliRuntimeError'."""
from types import SimpleNamespace as NS

import pytest

from dagster_project.pipeline import GateRefused, PipelineError, _materialize

DBT_ERROR = """The dbt CLI process with command

`eparcours-dbt build --select path:models/intermediate path:models/marts`

failed with exit code `1`.

Errors parsed from dbt logs:

172 of 179 FAIL 48 assert_every_catalogue_indicator_present_each_quarter ....... [FAIL 48 in 0.04s]

Failure in test assert_every_catalogue_indicator_present_each_quarter (tests/singular/assert_every_…)"""


def failed_run(message: str):
    error = NS(message="outer", cls_name="DagsterExecutionStepExecutionError",
               cause=NS(message=message, cls_name="DagsterDbtCliRuntimeError", cause=None))
    step = NS(event_type_value="STEP_FAILURE", step_key="dbt_indicators", event_specific_data=NS(error=error))
    return NS(success=False, all_events=[step], get_asset_check_evaluations=lambda: [])


def test_a_failed_singular_dbt_test_is_a_refusal_naming_it(monkeypatch):
    import dagster as dg
    monkeypatch.setattr(dg, "materialize", lambda *a, **k: failed_run(DBT_ERROR))
    with pytest.raises(GateRefused) as e:
        _materialize([], {}, verbose=True)
    (f,) = e.value.failures
    assert f["check"] == "assert_every_catalogue_indicator_present_each_quarter"
    assert f["detail"] == "dbt test failed on 48 row(s)" and f["asset"] == "dbt test (dbt_indicators)"


def test_any_other_step_failure_stays_a_one_sentence_error(monkeypatch):
    import dagster as dg
    monkeypatch.setattr(dg, "materialize", lambda *a, **k: failed_run("Catalog Error: table raw.x does not exist"))
    with pytest.raises(PipelineError, match="step dbt_indicators failed: Catalog Error: table raw.x"):
        _materialize([], {}, verbose=True)
