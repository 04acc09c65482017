"""The publication refuses when the last evaluation of a blocking check of marts/indicator_results failed in
another run. Guards against the hole of asset backfills: indicators and publication selected together are
split into a partition-range run and a publication run, and a failed gate in the first must still stop
the second."""
import dagster as dg

from dagster_project.quality.checks import INDICATOR_RESULTS
from dagster_project.resources import WarehouseResource

PUBLICATION = dg.AssetKey(["publish", "publication"])


def publish_only(defs, instance, tmp_path):
    job = defs.resolve_job_def("publish_job").get_subset(asset_selection={PUBLICATION},
                                                         asset_check_selection=set())
    warehouse = WarehouseResource(home=str(tmp_path / "home"), landing=str(tmp_path / "landing"))
    return job.execute_in_process(instance=instance, raise_on_error=False, resources={"warehouse": warehouse})


def test_publication_refused_after_a_failed_gate_check(defs, tmp_path):
    with dg.instance_for_test() as instance:
        instance.report_runless_asset_event(dg.AssetCheckEvaluation(
            asset_key=INDICATOR_RESULTS, check_name="gx_indicator_results", passed=False,
            severity=dg.AssetCheckSeverity.ERROR))
        result = publish_only(defs, instance, tmp_path)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
        assert "quality gate refused publication" in str(failure.event_specific_data.error.message)
        assert "gx_indicator_results" in str(failure.event_specific_data.error.message)
        assert not (tmp_path / "home" / "published" / "manifest.json").exists()


def test_a_warning_does_not_block(defs, tmp_path):
    with dg.instance_for_test() as instance:
        instance.report_runless_asset_event(dg.AssetCheckEvaluation(
            asset_key=INDICATOR_RESULTS, check_name="gx_indicator_results", passed=False,
            severity=dg.AssetCheckSeverity.WARN))
        result = publish_only(defs, instance, tmp_path)
        # it goes past the gate and fails further on (no warehouse here), not on the gate
        failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
        assert "quality gate refused" not in str(failure.event_specific_data.error.message)
