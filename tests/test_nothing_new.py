"""A run with nothing new stops at once (pipeline.run_fingerprint / unchanged_since), and only then: a touched or
added landing file, a changed setting, an override, another publication or a warehouse written since all make the
run happen. On a few fabricated files, no pipeline run (the real one is in tests/e2e/test_one_control_plane.py)."""
import os
from datetime import date

from dagster_project.last_run import remember_run, run_fingerprint, unchanged_since
from dagster_project.settings import Paths


def home_with_a_run(tmp_path):
    landing = tmp_path / "landing"
    (landing / "mss").mkdir(parents=True)
    (landing / "mss" / "mss_messages_2024-01.csv").write_text("a;b\n1;2\n")
    paths = Paths(landing, tmp_path / "home").ensure()
    paths.warehouse.write_bytes(b"warehouse")
    pubs = paths.home / "publications" / "P1"
    pubs.mkdir(parents=True)
    paths.published.symlink_to(pubs)
    fp = run_fingerprint(paths, None, None)
    remember_run(paths, fp, "P1", "2024-01-01")
    return paths, fp


def test_the_same_inputs_are_nothing_new(tmp_path):
    paths, fp = home_with_a_run(tmp_path)
    assert run_fingerprint(paths, None, None) == fp
    assert unchanged_since(paths, fp)["publication"] == "P1"


def test_a_touched_or_new_landing_file_a_setting_or_through_is_something_new(tmp_path, monkeypatch):
    paths, fp = home_with_a_run(tmp_path)
    f = paths.landing / "mss" / "mss_messages_2024-01.csv"
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 1))
    assert run_fingerprint(paths, None, None) != fp
    paths, fp = home_with_a_run(tmp_path / "2")
    (paths.landing / "mss" / "notes.txt").write_text("x")       # a file of no table is reported: it counts
    assert run_fingerprint(paths, None, None) != fp
    paths, fp = home_with_a_run(tmp_path / "3")
    monkeypatch.setenv("EPARCOURS_ESMS_WINDOW_MONTHS", "6")
    assert run_fingerprint(paths, None, None) != fp
    monkeypatch.delenv("EPARCOURS_ESMS_WINDOW_MONTHS")
    monkeypatch.setenv("EPARCOURS_LOCK_WAIT_SECONDS", "5")       # changes nothing a run computes
    assert run_fingerprint(paths, None, None) == fp
    assert run_fingerprint(paths, date(2024, 9, 30), None) != fp
    assert run_fingerprint(paths, None, [{"id": "x", "reason": "r"}]) is None   # an override is always a run
    assert unchanged_since(paths, None) is None


def test_another_publication_or_a_warehouse_written_since_is_something_new(tmp_path):
    paths, fp = home_with_a_run(tmp_path)
    paths.published.unlink()
    (paths.home / "publications" / "P2").mkdir()
    paths.published.symlink_to(paths.home / "publications" / "P2")   # a rollback, or the UI published
    assert unchanged_since(paths, fp) is None
    paths, fp = home_with_a_run(tmp_path / "2")
    paths.warehouse.write_bytes(b"warehouse, written by a sensor run")
    assert unchanged_since(paths, fp) is None


def test_what_the_pipeline_exports_for_dbt_is_not_a_setting(tmp_path, monkeypatch):
    """A second run in the same process sees the variables the first exported (paths, window, day, lag): the same
    run, not a changed setting."""
    paths, fp = home_with_a_run(tmp_path)
    monkeypatch.setenv("EPARCOURS_HOME", str(paths.home))
    monkeypatch.setenv("EPARCOURS_WAREHOUSE", str(paths.warehouse))
    monkeypatch.setenv("EPARCOURS_MEASURE_FROM", "2024-01-01")
    monkeypatch.setenv("EPARCOURS_QUARTER_LAG_DAYS", "45")
    assert run_fingerprint(paths, None, None) == fp
    monkeypatch.setenv("EPARCOURS_QUARTER_LAG_DAYS", "60")
    assert run_fingerprint(paths, None, None) != fp
