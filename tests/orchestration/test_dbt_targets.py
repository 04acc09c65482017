"""Old dbt invocation folders are pruned; dbt's own folders and recent invocations are kept.
Guards against a scheduled deployment filling the disk (10-20 MB per dbt invocation) and against removing
the folder of an invocation still running in another process."""
import os
import time

from dagster_project.transform.assets import prune_dbt_targets


def test_prune_dbt_targets(tmp_path):
    old = time.time() - 2 * 86400
    for name in ("dbt_indicators-1979751-c5555c1", "12ae69f", "compiled", "run", "dbt_reference-43738e1-61a4f79"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "dbt.log").write_text("x")
        os.utime(tmp_path / name, (old, old))
    (tmp_path / "dbt_indicators-46e8cec-f6891d2").mkdir()  # recent: maybe still running
    (tmp_path / "manifest.json").write_text("{}")
    removed = prune_dbt_targets(tmp_path)
    assert sorted(removed) == ["12ae69f", "dbt_indicators-1979751-c5555c1", "dbt_reference-43738e1-61a4f79"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "compiled", "dbt_indicators-46e8cec-f6891d2", "manifest.json", "run"]
