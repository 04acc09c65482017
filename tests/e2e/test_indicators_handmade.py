"""Every E-parcours indicator on a landing folder written by hand (tests/e2e/handmade.py): each numerator
and denominator was computed by hand, row by row; a wrong rule shows up as a diff of this table."""
import csv
from datetime import date

import duckdb
import pytest

from dagster_project.pipeline import run_pipeline
from dagster_project.settings import Paths

from .handmade import DAC_AUDIT, EG, EXPECTED, D, F_CPTS1, F_CPTS2, F_DAC1, REGION, build_landing

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


def test_auditors_trail_of_the_region_indicators(handmade_run):
    """The reason of each hand-built EG, dossier and directory snapshot of EP-3.2, EP-4.2 and EP-5.2 (schema
    audit), and its evidence row; the counts are those of EXPECTED."""
    paths, _ = handmade_run
    con = duckdb.connect(str(paths.warehouse), read_only=True)

    def trail(model):
        return {r[0]: r[1:] for r in con.execute(
            f"SELECT unit_id, subgroup, in_denominator, in_numerator, reason_code, evidence_kind, evidence_id, "
            f"evidence_date, evidence_file, evidence_line FROM audit.{model} WHERE measure_date = ?", [D]).fetchall()}

    eg = trail("audit_ep_3_2_ror_qualite")
    assert {k: v[:4] for k, v in eg.items()} == {
        EG[1]: ("SAN_MCO_SSR_PSY", True, True, "EP32_CRITERE_QUALITE"),     # U1, U2 complete
        EG[2]: ("SAN_MCO_SSR_PSY", True, False, "EP32_UE_SANS_CONTACT"),    # U4 has no contact
        EG[3]: ("SAN_MCO_SSR_PSY", True, False, "EP32_SANS_UE_OUVERTE"),    # its only UE closed on 2024-01-15
        EG[4]: ("SAN_MCO_SSR_PSY", True, False, "EP32_ABSENT_ROR"),
        EG[12]: ("SAN_MCO_SSR_PSY", True, False, "EP32_ABSENT_ROR"),        # HAD authorisation ended on D
        EG[5]: ("SAN_HAD_USLD", True, True, "EP32_CRITERE_QUALITE"),
        EG[6]: ("SAN_HAD_USLD", True, False, "EP32_UE_SANS_MODE_PEC"),      # mode 03 outside J19
        EG[7]: ("MEDICO_SOCIAL", True, False, "EP32_UE_SANS_AGE"),          # age_max empty
        EG[13]: ("MEDICO_SOCIAL", True, False, "EP32_UE_SANS_ACTIVITE"),    # activité 999 outside J17
        EG[9]: ("VILLE", True, True, "EP32_CRITERE_QUALITE"),
    }
    assert eg[EG[1]][4:] == ("ror_eg", "G1", date(2024, 3, 1), "ror/ror_eg_20240301.csv", 2)
    assert eg[EG[2]][4:] == ("ror_ue", "U4", date(2024, 3, 1), "ror/ror_ue_20240301.csv", 5)
    assert eg[EG[3]][4:] == ("ror_eg", "G3", date(2024, 3, 1), "ror/ror_eg_20240301.csv", 4)
    assert eg[EG[4]][4:7] == ("finess", EG[4], date(2024, 1, 1))
    assert eg[EG[4]][7] == "finess/etalab-cs1100507-stock-20240101-0330.csv"

    dossiers = trail("audit_ep_4_2_synthese_dmp")
    assert {k: v[1:4] for k, v in dossiers.items()} == {
        "D1": (True, True, "EP42_SYNTHESE_DMP"),      # G1 by DAC1 on 2024-02-01
        "D3": (True, False, "EP42_INS_NON_VALIDE"),   # wrong INS key (its G2 cannot match)
        "D4": (True, False, "EP42_SANS_SYNTHESE"),    # G3 deleted, G4 not a synthesis code
        "D6": (True, False, "EP42_SANS_SYNTHESE"),    # G5 by the CPTS, G7 after D
        "D7": (True, False, "EP42_SANS_SYNTHESE"),    # G6 the day before the opening
    }
    assert dossiers["D1"][4:] == ("document", "G1", date(2024, 2, 1), "dmp/dmp_documents_2024-03.csv", 2)
    assert dossiers["D3"][4:] == ("dossier", "D3", date(2024, 3, 31), "coordination/coord_dossiers_2024-03.csv", 4)

    annuaire = trail("audit_ep_5_2_annuaire_mssante")
    assert annuaire == {"mss/annuaire_mssante_20230901.csv": (
        None, False, True, "EP52_ANNUAIRE", "snapshot", "mss/annuaire_mssante_20230901.csv", date(2023, 9, 1),
        "mss/annuaire_mssante_20230901.csv", None)}
    assert (date.fromisoformat(D) - date(2023, 9, 1)).days == EXPECTED[("EP-5.2", "region", REGION, None)][0]


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
