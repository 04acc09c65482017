"""The quality gate on a published region: an indicator jumping 40 points is refused and the previous
publication stays byte for byte identical; the happy path publishes; legitimate new deliveries publish and an
analyst holding the published file open does not make the run fail. Broken deliveries, one per way of
breaking, are in test_gate_battery.py."""
import json
import subprocess
import sys
import textwrap

import duckdb
import pytest

from dagster_project.cli import EXIT_GATE, EXIT_OK, main

from .conftest import snapshot_tree
from .gate_scenarios import PUBLISHED_INCREMENTAL

pytestmark = pytest.mark.slow


def redeliver(landing, table_file, new_name, transform):
    """Drop a corrected (here: broken) delivery of a month beside the first one, as a sender would."""
    src = landing / table_file
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    (src.parent / new_name).write_text("".join(transform(lines)), encoding="utf-8")


def run_cli(paths, capsys):
    rc = main(["run", "--landing", str(paths.landing), "--home", str(paths.home)])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_happy_path_publishes_everything(tiny_run):
    paths, _, summary = tiny_run
    pub = paths.published
    for f in ("warehouse.duckdb", "indicator_results.csv", "indicator_results.parquet", "quarantine_report.csv",
              "manifest.json", "quality/index.html"):
        assert (pub / f).is_file(), f
    manifest = json.loads((pub / "manifest.json").read_text())
    assert manifest["measure_dates"][-1] == "2024-12-31"
    assert {f["file"] for f in manifest["landing_files"]} >= {"mss/mss_messages_2024-12.csv"}
    assert all(len(f["sha256"]) == 64 for f in manifest["landing_files"])
    assert any(f.startswith("cnsa/2024-12-31/") and f.endswith(".xlsx") for f in manifest["files"])
    assert any(f.startswith("cnsa/2024-12-31/preuves/") and f.endswith(".pdf") for f in manifest["files"])
    con = duckdb.connect(str(pub / "warehouse.duckdb"), read_only=True)
    schemas = {r[0] for r in con.execute("SELECT DISTINCT table_schema FROM information_schema.tables").fetchall()}
    assert schemas == {"publish"}                        # no raw, staging or patient-level table
    cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns").fetchall()}
    assert not cols & {"ins", "patient_ins", "usager_id", "dossier_id"}
    assert con.execute("SELECT count(*) FROM publish.indicator_results").fetchone()[0] > 0
    con.close()


def test_an_indicator_jumping_50_points_is_refused(tiny_copy, capsys):
    paths = tiny_copy
    before = snapshot_tree(paths.published)
    # every coordination event of Q4 2024 re-delivered as a read-only CONSULTATION: volumes are unchanged
    # (the landing checks pass) but EP-6.1 of each DAC falls from ~85 % to 0 %
    for month in ("2024-10", "2024-11", "2024-12"):
        redeliver(paths.landing, f"coordination/coord_evenements_{month}.csv", f"coord_evenements_{month}_v2.csv",
                  lambda ls: [ls[0]] + [";".join("CONSULTATION" if i == 3 else ("" if i == 4 else f)
                                                 for i, f in enumerate(ln.rstrip("\n").split(";"))) + "\n"
                                        for ln in ls[1:]])
    rc, out, err = run_cli(paths, capsys)
    assert rc == EXIT_GATE
    assert "indicator_results.jump — EP-6.1/region/" in err and "abs_change" in err
    assert "Stack Trace" not in err and "Traceback" not in err
    assert snapshot_tree(paths.published) == before


ANALYST = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    q = "SELECT count(*) FROM publish.indicator_results WHERE measure_date = DATE '2024-12-31'"
    print(con.execute(q).fetchone()[0], flush=True)
    sys.stdin.readline()                       # the run happens meanwhile
    print(con.execute(q).fetchone()[0], flush=True)   # same connection: the file it opened
    con.close()
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute(q).fetchone()[0], flush=True)   # reconnected: the new publication
""")


def test_legitimate_changes_publish_and_an_analyst_holding_the_file_open_does_not_block_the_run(tiny_copy,
                                                                                              capsys):
    """Legitimate new deliveries on a published region (a month re-delivered with a few rows fewer, real growth
    x3 in a month, a new DAC) publish; an analyst holding the published file open keeps his view and sees the
    new publication after reconnecting. An override naming a check that did not fail changes nothing."""
    paths = tiny_copy
    before = json.loads((paths.published / "manifest.json").read_text())["id"]
    for scenario in PUBLISHED_INCREMENTAL:
        scenario.change(paths.landing)
    pub_db = paths.published / "warehouse.duckdb"
    analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(pub_db)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    first = int(analyst.stdout.readline())
    # a new DAC appears in a corrected structures snapshot: one more EP row per DAC indicator for 2024-12-31
    src = paths.landing / "coordination" / "coord_structures_20241001.csv"
    if not src.exists():
        src = sorted((paths.landing / "coordination").glob("coord_structures_*.csv"))[-1]
    lines = src.read_text(encoding="utf-8").splitlines()
    lines.append("S9999;010009991;DAC;DAC ouvert en décembre;N;O")
    (src.parent / "coord_structures_20241215.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rc = main(["run", "--landing", str(paths.landing), "--home", str(paths.home),
               "--accept", "mss_messages.volume_low@1999-01", "--reason", "not failing"])
    out, err = capsys.readouterr()
    assert rc == EXIT_OK, err
    assert json.loads((paths.published / "manifest.json").read_text())["id"] != before
    assert "that check did not fail in this run; nothing was overridden" in out
    analyst.stdin.write("\n")
    analyst.stdin.flush()
    still_old, after = int(analyst.stdout.readline()), int(analyst.stdout.readline())
    assert analyst.wait(timeout=60) == 0
    assert still_old == first
    assert after > first
