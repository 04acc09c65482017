"""run_suite leaves GX out of a batch with nothing new to judge (every delivery of it already published) whose
expectations are on column values: it records what GX reports on no rows. On the shared tiny run, every landing suite
evaluated both ways, judging against its publication, gives the same results."""
import json

import pytest

from dagster_project.quality import runner
from dagster_project.quality.checks import published_deliveries
from dagster_project.quality.suites import load_suites
from dagster_project.settings import connect_read_only

pytestmark = pytest.mark.slow


def results(con, published):
    out = {}
    for s in load_suites():
        if s.kind == "landing":
            r = json.loads(runner.run_suite(s, con, published, []).to_json())
            r.pop("validated_at")
            out[s.name] = r
    return out


def test_a_batch_with_nothing_to_judge_gets_what_gx_reports_on_no_rows(tiny_run, monkeypatch):
    paths, _, _ = tiny_run
    published = published_deliveries(paths.published)
    assert published
    con = connect_read_only(paths.warehouse)
    try:
        shortcut = results(con, published)
        monkeypatch.setattr(runner, "VACUOUS_ON_NO_ROWS", set())
        through_gx = results(con, published)
    finally:
        con.close()
    assert shortcut == through_gx
    assert sum(n == 0 for r in shortcut.values() for n in r["rows"].values()) > 40   # the shortcut was taken
