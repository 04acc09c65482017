"""Every E-parcours indicator on a landing folder written by hand (tests/e2e/handmade.py): each numerator
and denominator was computed by hand, row by row; a wrong rule shows up as a diff of this table."""
import csv

import duckdb
import pytest

from dagster_project.pipeline import run_pipeline
from dagster_project.settings import Paths

from .handmade import EXPECTED, D, F_CPTS1, F_CPTS2, F_DAC1, build_landing

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


# The auditors' trail (dbt/models/audit) of the CPTS indicators and EP-INS: each hand-built member or dossier with
# its reason and the landing row that proves it, (scope FINESS, unit id) -> (in_numerator, reason_code, evidence
# id, file relative to the landing folder, line); line 1 of every file is its header. Every row is in the denominator.
MEMBERS, MESSAGES = "coordination/cpts_membres_20240101.csv", "coordination/coord_messages_2024-02.csv"
EVENTS, DOSSIERS = "coordination/coord_evenements_2024-03.csv", "coordination/coord_dossiers_2024-03.csv"
AUDIT_EXPECTED = {
    "audit_ep_7_1_membres_actifs_reseau": {
        (F_CPTS1, "R1"): (True, "POSTE_RESEAU", "N02", MESSAGES, 14),           # N01, N02: the latest
        (F_CPTS1, "R2"): (True, "POSTE_AVANT_ADHESION", "N03", MESSAGES, 15),   # posted 03-01, joined 03-15
        (F_CPTS1, "R5"): (False, "MEMBRE_SANS_MESSAGE", "R5", MEMBERS, 6),      # a dossier message only
    },   # R3, R4 (gone by D), R6 (joins after D): no row
    "audit_ep_7_2_dossiers_partages_cpts": {
        (F_CPTS1, "C1"): (True, "MAJ_MEMBRE", "E13", EVENTS, 6),
        (F_CPTS1, "C2"): (False, "MAJ_NON_MEMBRE", "E14", EVENTS, 7),     # R2 joined after; E15 only a consultation
        (F_CPTS1, "C3"): (False, "MAJ_NON_MEMBRE", "E16", EVENTS, 9),     # R3's membership ended that day
        (F_CPTS1, "C4"): (True, "MAJ_MEMBRE", "E17", EVENTS, 10),         # E18 is after D
    },   # C5: CPTS2 does not use the service
    "audit_ep_ins_qualifie": {
        (F_DAC1, "D1"): (True, "INS_QUALIFIEE", "D1", DOSSIERS, 2),       # not its row of the February file
        (F_DAC1, "D3"): (False, "INS_CLE_INVALIDE", "D3", DOSSIERS, 4),
        (F_DAC1, "D4"): (False, "INS_PROVISOIRE", "D4", DOSSIERS, 5),
        (F_DAC1, "D6"): (True, "INS_QUALIFIEE", "D6", DOSSIERS, 7),
        (F_DAC1, "D7"): (False, "INS_PROVISOIRE", "D7", DOSSIERS, 8),
        (F_CPTS1, "C1"): (True, "INS_QUALIFIEE", "C1", DOSSIERS, 9),
        (F_CPTS1, "C2"): (True, "INS_QUALIFIEE", "C2", DOSSIERS, 10),
        (F_CPTS1, "C3"): (False, "INS_RECUPEREE", "C3", DOSSIERS, 11),
        (F_CPTS1, "C4"): (True, "INS_QUALIFIEE", "C4", DOSSIERS, 12),
        (F_CPTS2, "C5"): (True, "INS_QUALIFIEE", "C5", DOSSIERS, 13),
    },   # D2 (closed on D), D5 (closed by D), D8 (a request): not open at D, no row
}


@pytest.mark.parametrize("model", sorted(AUDIT_EXPECTED))
def test_audit_reason_and_evidence_of_each_hand_built_unit(handmade_run, model):
    paths, _ = handmade_run
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    rows = con.execute(
        f"SELECT scope_id, unit_id, in_denominator, in_numerator, reason_code, evidence_id, evidence_file, "
        f"evidence_line FROM audit.{model} WHERE measure_date = ?", [D]).fetchall()
    got = {(sid, uid): (num, reason, ev_id, ev_file, line)
           for sid, uid, den, num, reason, ev_id, ev_file, line in rows}
    assert len(got) == len(rows) and all(r[2] for r in rows)
    assert got == AUDIT_EXPECTED[model]
