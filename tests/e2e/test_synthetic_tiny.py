"""End to end on the synthetic generator: `generate --scale tiny` then `run`, on a temporary folder.

Every defect the generator injects (its report lists file, line and expected rule) must be caught with
the right rule at the right line, and nothing else of that file may be lost.
"""
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(tiny_run):
    paths, report, summary = tiny_run
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    yield paths.landing, report, summary, con
    con.close()


def data_lines(path: Path) -> int:
    raw = path.read_bytes()
    return raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1) - 1  # minus the header


def defects_of(report, kind):
    found = [d for d in report["defects"] if d["kind"] == kind]
    assert found, f"the generator injected no {kind} defect"
    return found


def file_row(con, file):
    return con.execute("SELECT rows_loaded, rows_rejected, values_flagged, encoding, status FROM raw.ingested_files "
                       "WHERE file_name = ? AND status <> 'replaced'", [file]).fetchone()


@pytest.mark.parametrize("kind", ["bad_finess", "bad_ins", "unknown_code", "bad_date", "bad_timestamp",
                                  "duplicate_row", "truncated_line", "missing_required"])
def test_row_defect_is_quarantined_at_its_line_and_nothing_else_is_lost(tiny, kind):
    landing, report, _, con = tiny
    for d in defects_of(report, kind):
        q = con.execute("SELECT rule, severity, column_name, reason FROM raw.quarantine "
                        "WHERE file_name = ? AND line_number = ?", [d["file"], d["line"]]).fetchall()
        assert any(rule == d["expected_rule"] for rule, *_ in q), (d, q)
        rule, severity, column, reason = next(x for x in q if x[0] == d["expected_rule"])
        if d.get("column"):
            assert column == d["column"] and d["column"] in reason
        loaded, rejected, flagged, _, status = file_row(con, d["file"])
        assert status == "loaded"
        # nothing silently dropped: every data line is either loaded or quarantined
        assert loaded + rejected == data_lines(landing / d["file"]), d
        table = d["table"]
        n_raw = con.execute(f"SELECT count(*) FROM raw.{table} WHERE _file_name = ?", [d["file"]]).fetchone()[0]
        assert n_raw == loaded
        in_raw = con.execute(f"SELECT count(*) FROM raw.{table} WHERE _file_name = ? AND _line_number = ?",
                             [d["file"], d["line"]]).fetchone()[0]
        assert in_raw == (1 if severity == "flagged" else 0)


def test_windows_1252_file_is_decoded(tiny):
    landing, report, _, con = tiny
    for d in defects_of(report, "encoding_windows_1252"):
        loaded, rejected, _, encoding, _ = file_row(con, d["file"])
        assert encoding == "cp1252" and rejected == 0 and loaded == data_lines(landing / d["file"])
        text = (landing / d["file"]).read_bytes().decode("cp1252")
        accented = {w for w in text.replace(";", " ").split() if any(ord(c) > 127 for c in w)}
        assert accented, "the defect file should carry accented names"
        names = " ".join(r[0] or "" for r in con.execute(
            f"SELECT raison_sociale FROM raw.{d['table']} WHERE _file_name = ?", [d["file"]]).fetchall())
        assert any(w in names for w in accented)


def test_bom_file_loads_every_row_with_its_first_column(tiny):
    landing, report, _, con = tiny
    for d in defects_of(report, "utf8_bom"):
        loaded, rejected, _, encoding, _ = file_row(con, d["file"])
        assert encoding == "utf-8-sig" and rejected == 0 and loaded == data_lines(landing / d["file"])
        from dagster_project.ingestion.specs import spec
        first = spec(d["table"]).column_names[0]
        nulls = con.execute(f'SELECT count(*) FROM raw.{d["table"]} WHERE _file_name = ? AND "{first}" IS NULL',
                            [d["file"]]).fetchone()[0]
        assert nulls == 0


def test_redelivered_month_replaces_the_first_delivery(tiny):
    _, report, _, con = tiny
    for d in defects_of(report, "redelivery"):
        rows = con.execute(f"SELECT _file_name, count(*) FROM raw.{d['table']} WHERE _delivery_key = "
                           f"(SELECT _delivery_key FROM raw.{d['table']} WHERE _file_name = ? LIMIT 1) GROUP BY 1",
                           [d["file"]]).fetchall()
        assert rows == [(d["file"], d["expected_rows"])]
        # both versions were in the landing at the first run: the first one is superseded, never loaded
        # ('replaced' is for a version loaded by an earlier run, see tests/ingestion/test_engine.py)
        status = con.execute("SELECT status FROM raw.ingested_files WHERE file_name = ?", [d["replaces"]]).fetchone()
        assert status == ("superseded",)


def test_every_quarter_has_every_indicator(tiny):
    _, _, summary, con = tiny
    assert str(summary.first_quarter) == "2023-01-01" and str(summary.through) == "2024-12-31"
    missing = con.execute("""
        SELECT c.indicator_id, m.measure_date
        FROM ref.ref_indicator_catalogue c
        CROSS JOIN (SELECT DISTINCT measure_date FROM marts.indicator_results) m
        WHERE NOT c.retired AND c.programme = 'E-parcours'
          AND NOT EXISTS (SELECT 1 FROM marts.indicator_results r
                          WHERE r.indicator_id = c.indicator_id AND r.measure_date = m.measure_date)
    """).fetchall()
    assert missing == []
    assert con.execute("SELECT count(DISTINCT measure_date) FROM marts.indicator_results").fetchone()[0] == 8
    assert summary.results_csv.exists()
