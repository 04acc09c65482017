"""One figure reads the same in every published file: 1/16 of a DAC against a target of 60 % at the end of the
second semester 2024 is « 6,3 % » (6,25 rounded half up on the exact ratio), « 1 / 16 » and « au moins 60 % » in
indicator_results.csv, on the DAC's dashboard page and in the semestrial report, whose title says « 2e semestre
2024 ». The figure is set in the working warehouse of a copy of the tiny run, the publish models are rebuilt by
dbt and the publication is written by the code of the pipeline: the texts come from the dbt publish layer, the
renderers only print them."""
from __future__ import annotations

import csv
import html
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.publication.publish import build_publication
from dagster_project.resources import WarehouseResource

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
NBSP = "\u00a0"


def flat(text: str) -> str:
    """Every run of white space (no-break spaces included) as one space."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def published(tiny_run, tmp_path_factory):
    import shutil

    from dagster_project.settings import Paths

    src, _, _ = tiny_run
    root = tmp_path_factory.mktemp("one_figure")
    paths = Paths(root / "landing", root / "home")
    shutil.copytree(src.landing, paths.landing)
    shutil.copytree(src.home, paths.home, symlinks=True, ignore=shutil.ignore_patterns("tmp"))
    con = duckdb.connect(str(paths.warehouse))
    finess = con.execute("""SELECT scope_id FROM marts.indicator_results WHERE indicator_id = 'EP-6.1'
                            AND scope_type = 'dac' AND measure_date = DATE '2024-12-31' ORDER BY scope_id
                            LIMIT 1""").fetchone()[0]
    con.execute("""UPDATE marts.indicator_results SET numerator = 1, denominator = 16, value = 6.25, target = 60,
                   comparison = 'gte', target_met = false, status = 'final'
                   WHERE indicator_id = 'EP-6.1' AND scope_type = 'dac' AND scope_id = ?
                     AND measure_date = DATE '2024-12-31'""", [finess])
    con.close()
    env = {**os.environ, "EPARCOURS_WAREHOUSE": str(paths.warehouse), "EPARCOURS_DUCKDB_TEMP": str(root / "tmp"),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    res = subprocess.run([str(DBT), "run", "--select", "path:models/publish", "--project-dir", str(REPO / "dbt"),
                          "--profiles-dir", str(REPO / "dbt"), "--target-path", str(root / "target"),
                          "--log-path", str(root / "logs")], env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:]
    paths.export_env()
    build_publication(WarehouseResource(home=str(paths.home), landing=str(paths.landing)))
    return paths.published, finess


def test_the_csv_the_dashboard_and_the_report_print_the_same_text(published):
    folder, finess = published
    rows = list(csv.DictReader(io.StringIO((folder / "indicator_results.csv").read_text(encoding="utf-8-sig")),
                               delimiter=";"))
    (row,) = [r for r in rows if r["indicator_id"] == "EP-6.1" and r["scope_id"] == finess
              and r["period_end"] == "2024-12-31"]
    assert (row["value_text"], row["ratio_text"], row["target_text"]) == (f"6,3{NBSP}%", "1 / 16", f"au moins 60{NBSP}%")
    assert row["value"] == "6,25"        # the figure itself keeps its two decimals for computation

    page = html.unescape(re.sub(r"<[^>]+>", " ", (folder / "dashboard" / "structures" / f"dac-{finess}.html")
                                .read_text(encoding="utf-8")))
    for text in (row["value_text"], row["ratio_text"], row["target_text"]):
        assert flat(text) in flat(page), text

    pdf = folder / "rapports" / "rapport_semestriel_84_2024-S2.pdf"
    report = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    assert "2e semestre 2024" in flat(report)
    line = next(ln for ln in report.splitlines() if finess in ln or "EP-6.1" in ln and "1 / 16" in flat(ln))
    assert line
    assert flat(row["value_text"]) in flat(report) and flat(row["target_text"]) in flat(report)
