"""Every E-parcours indicator on a landing folder written by hand (tests/e2e/handmade.py): each numerator
and denominator was computed by hand, row by row; a wrong rule shows up as a diff of this table."""
import csv

import duckdb
import pytest

from dagster_project.pipeline import run_pipeline
from dagster_project.settings import Paths

from .handmade import DAC_AUDIT, EXPECTED, F_DAC1, D, build_landing

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def handmade_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("handmade")
    landing = build_landing(root / "landing")
    paths = Paths(landing, root / "home")
    summary = run_pipeline(paths)
    return paths, summary


def test_only_the_last_complete_quarter_is_computed(handmade_run):
    paths, summary = handmade_run
    assert str(summary.as_of) == "2024-05-15"
    assert str(summary.through) == D
    assert str(summary.first_quarter) == "2024-01-01"


def test_every_indicator_row_matches_the_hand_computed_table(handmade_run):
    paths, _ = handmade_run
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    rows = con.execute(
        "SELECT indicator_id, scope_type, scope_id, subgroup, numerator, denominator, status "
        "FROM marts.indicator_results WHERE measure_date = ?", [D]).fetchall()
    got = {(i, st, sid, sg): (n, d, status) for i, st, sid, sg, n, d, status in rows}
    assert len(got) == len(rows), "one row per indicator x scope x subgroup x measure date"
    missing = {k: v for k, v in EXPECTED.items() if k not in got}
    unexpected = {k: v for k, v in got.items() if k not in EXPECTED}
    wrong = {k: (got[k], v) for k, v in EXPECTED.items() if k in got and got[k] != v}
    assert not missing and not unexpected and not wrong, (missing, unexpected, wrong)


def test_values_targets_and_published_csv(handmade_run):
    paths, summary = handmade_run
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    res = {r[0]: r[1:] for r in con.execute(
        "SELECT indicator_id || '|' || scope_type || '|' || coalesce(subgroup, ''), value, target, target_met, "
        "reference_document FROM marts.indicator_results WHERE measure_date = ?", [D]).fetchall()}
    assert res["EP-6.1|region|"] == (80.0, 60.0, True, "note_2021_216")
    assert res["EP-6.2|region|"] == (60.0, 80.0, False, "note_2021_216")
    assert res["EP-5.2|region|"] == (212.0, 183.0, False, "note_2021_216")   # days, met when <= 183
    assert res["EP-4.2|region|"] == (20.0, 30.0, False, "note_2021_216")     # tier of 2023-12-31 in force
    assert res["EP-3.2|region|MEDICO_SOCIAL"] == (0.0, 30.0, False, "note_2021_216")
    assert res["EP-3.2|region|VILLE"] == (100.0, None, None, "note_2021_216")  # no percentage in the texts
    assert res["EP-INS|region|"] == (60.0, None, None, "rulebook")
    assert res["1.1|region|"][2] is True and res["3.1|region|"][2] is False
    raw = summary.results_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                      # UTF-8 with BOM: French Excel reads the accents
    with open(summary.results_csv, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f, delimiter=";")
        header = reader.fieldnames
        published = list(reader)
    assert header[:15] == ["indicator_id", "label", "programme", "scope_type", "scope_id", "subgroup",
                           "period_start", "period_end", "numerator", "denominator", "value", "target",
                           "target_met", "status", "reference_document"]
    assert len(published) == len(EXPECTED)
    row = next(r for r in published if r["indicator_id"] == "EP-6.1" and r["scope_type"] == "region")
    assert (row["period_start"], row["period_end"], row["value"]) == ("2024-01-01", D, "80,0")  # decimal comma


def test_dac_audit_trail_gives_each_dossier_its_reason(handmade_run):
    """The auditors' trail of EP-6.1 .. EP-6.4: each hand-built dossier of DAC1 with the reason computed by hand,
    the row that proves it, and counts equal to the published numerator and denominator."""
    paths, _ = handmade_run
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    models = ["audit_ep_6_1_dossiers_actifs", "audit_ep_6_2_primo_evaluation", "audit_ep_6_3_notifications",
              "audit_ep_6_4_equipe", "audit_ep_6_4_echange"]
    rows = con.execute(" UNION ALL ".join(
        f"SELECT indicator_id, scope_type, scope_id, unit, unit_id, in_denominator, in_numerator, reason_code, "
        f"evidence_id, evidence_file, evidence_line FROM audit.{m} WHERE measure_date = ?" for m in models),
        [D] * len(models)).fetchall()
    assert {(r[1], r[2], r[3]) for r in rows} == {("dac", F_DAC1, "dossier")}   # DAC2 has no dossier
    got = {(r[0], r[4]): (r[5], r[6], r[7], r[8]) for r in rows}
    assert len(got) == len(rows) and got == DAC_AUDIT
    evidence = {(r[0], r[4]): (r[9].rsplit("/", 1)[-1], r[10]) for r in rows}
    assert evidence[("EP-6.1", "D1")] == ("coord_evenements_2024-01.csv", 3)    # E02, 2nd row of the January file
    assert evidence[("EP-6.2", "D6")] == ("coord_dossiers_2024-03.csv", 7)      # D6, 6th row of the March snapshot
    # P2 on D7: line 9 (line 10 repeats its key dossier + professional + date added: quarantined at ingestion)
    assert evidence[("EP-6.4-EQUIPE", "D7")] == ("coord_equipe_2024-03.csv", 9)
    for ind in {k[0] for k in DAC_AUDIT}:
        num = sum(v[1] for k, v in DAC_AUDIT.items() if k[0] == ind)
        den = sum(v[0] for k, v in DAC_AUDIT.items() if k[0] == ind)
        assert EXPECTED[(ind, "dac", F_DAC1, None)][:2] == (num, den), ind
