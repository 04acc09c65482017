"""The quality gate: a bad extract is refused with the right message and the previous publication stays
byte for byte identical; the happy path publishes; an analyst holding the published file open does not
make the run fail and sees the new data after reconnecting."""
import json
import subprocess
import sys
import textwrap

import duckdb
import pytest

from dagster_project.cli import EXIT_GATE, EXIT_OK, main

from .conftest import snapshot_tree

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


def test_bad_extracts_are_refused_and_the_publication_stays_identical(tiny_copy, capsys):
    """Real-world failures in one delivery round, each caught by its own expectation: a truncated extract
    carrying half its month (volume against the previous month), a code list broken at the sender
    (quarantine share)."""
    paths = tiny_copy
    before = snapshot_tree(paths.published)
    # 1.+2. a truncated extract that carries half its month: the December DUI events cut after half of the
    #       file, in the middle of a line (the ratio to November drops to ~0.5, the last line is broken)
    redeliver(paths.landing, "dui/dui_evenements_2024-12.csv", "dui_evenements_2024-12_v2.csv",
              lambda ls: ls[: len(ls) // 2] + [ls[len(ls) // 2][:20]])
    # 3. a code list broken at the sender: DUI event types exported in lower case, in a corrected delivery of
    #    the busiest month of 2024 before November (so December is still compared with an intact November) (the share check applies to deliveries of at least 100 rows)
    busiest = max((p for p in (paths.landing / "dui").glob("dui_evenements_2024-??.csv") if p.name[15:22] not in ("2024-11", "2024-12")),
                  key=lambda p: p.stat().st_size)
    assert busiest.read_text(encoding="utf-8").count("\n") > 101
    redeliver(paths.landing, f"dui/{busiest.name}", busiest.name.replace(".csv", "_v2.csv"),
              lambda ls: [ls[0]] + [";".join(f.lower() if i == 4 else f for i, f in enumerate(ln.split(";")))
                                    for ln in ls[1:]])
    rc, out, err = run_cli(paths, capsys)
    assert rc == EXIT_GATE
    assert "PUBLICATION REFUSED" in err and "left exactly as it was" in err
    assert "check gx_landing on raw/dui_evenements" in err and "ratio_to_previous" in err
    assert "quarantine_share" in err                          # the broken code list
    assert "Sample:" in err                                    # offending rows are shown
    assert snapshot_tree(paths.published) == before            # byte for byte


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
    assert "check gx_indicator_results on marts/indicator_results" in err and "abs_change" in err
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


def test_an_analyst_holding_the_file_open_does_not_block_the_run(tiny_copy, capsys):
    paths = tiny_copy
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
    rc, out, err = run_cli(paths, capsys)
    assert rc == EXIT_OK, err
    analyst.stdin.write("\n")
    analyst.stdin.flush()
    still_old, after = int(analyst.stdout.readline()), int(analyst.stdout.readline())
    assert analyst.wait(timeout=60) == 0
    assert still_old == first
    assert after > first
