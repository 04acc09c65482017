"""The five ESMS Numérique indicators on a landing folder written by hand (tests/e2e/handmade_esms.py): each
numerator and denominator was computed by hand, dossier by dossier; a wrong rule shows up as a diff of this
table. Also the CNSA workbook figures (marts.esms_cnsa_figures) and the auditors' trail (audit.audit_esms_*):
why each hand-built dossier, message and patient counts or not, and the landing row that proves it."""
import duckdb
import pytest

from dagster_project.pipeline import run_pipeline
from dagster_project.settings import Paths

from .handmade_esms import AS_OF, E1, E2, E3, E4, EXPECTED, EXPECTED_FIGURES, P, P_BAD_KEY, D, build_landing

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def esms_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("handmade_esms")
    landing = build_landing(root / "landing")
    paths = Paths(landing, root / "home")
    with pytest.MonkeyPatch.context() as mp:
        # no ROR extract in this landing: give the E-parcours region rows a region code; default MSS/DMP window
        mp.setenv("EPARCOURS_REGION", "84")
        mp.delenv("EPARCOURS_ESMS_WINDOW_MONTHS", raising=False)
        summary = run_pipeline(paths)
    return paths, summary


def _query(paths, sql, params=()):
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        cur = con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


def test_only_the_first_quarter_of_2024_is_computed(esms_run):
    paths, summary = esms_run
    assert str(summary.as_of) == AS_OF
    assert str(summary.through) == D
    assert str(summary.first_quarter) == "2024-01-01"
    dates = _query(paths, "SELECT DISTINCT measure_date FROM marts.indicator_results WHERE programme = 'ESMS Numérique'")
    assert [str(r["measure_date"]) for r in dates] == [D]


def test_every_esms_row_matches_the_hand_computed_table(esms_run):
    paths, _ = esms_run
    rows = _query(paths, "SELECT indicator_id, scope_type, scope_id, subgroup, numerator, denominator, status "
                         "FROM marts.indicator_results WHERE measure_date = ? AND programme = 'ESMS Numérique'", [D])
    assert {r["scope_type"] for r in rows} == {"esms"}, "ESMS rows only: no region row"
    assert all(r["subgroup"] is None for r in rows)
    got = {(r["indicator_id"], r["scope_id"]): (r["numerator"], r["denominator"], r["status"]) for r in rows}
    assert len(got) == len(rows), "one row per indicator x ESMS x measure date"
    assert E4 not in {sid for _, sid in got}, "an ESMS not in force at D gets no row"
    missing = {k: v for k, v in EXPECTED.items() if k not in got}
    unexpected = {k: v for k, v in got.items() if k not in EXPECTED}
    wrong = {k: (got[k], v) for k, v in EXPECTED.items() if k in got and got[k] != v}
    assert not missing and not unexpected and not wrong, (missing, unexpected, wrong)


def test_values_targets_and_periods(esms_run):
    paths, _ = esms_run
    res = {(r["indicator_id"], r["scope_id"]): r for r in _query(
        paths, "SELECT * FROM marts.indicator_results WHERE measure_date = ? AND scope_type = 'esms'", [D])}
    r = res[("ESMS-DUI-ACTIFS", E1)]
    assert (r["value"], r["target"], r["target_met"], r["reference_document"]) == (12.77, 90.0, False,
                                                                                  "instruction_2024_15")
    assert (str(r["period_start"]), str(r["period_end"])) == ("2024-01-01", D)
    assert res[("ESMS-MSS", E1)]["value"] == 133.33                      # may exceed 100 %
    assert res[("ESMS-MSS", E1)]["target_met"] is True
    assert res[("ESMS-DUI-PP", E2)]["value"] == 50.0
    assert res[("ESMS-DMP", E2)]["value"] == 0.0
    r = res[("ESMS-MSS", E3)]                                            # no DUI actif with PP: no_data
    assert (r["numerator"], r["value"], r["target_met"], r["status"]) == (2, None, None, "no_data")
    r = res[("ESMS-DMP", E1)]                                            # default window = the quarter
    assert (str(r["period_start"]), str(r["period_end"])) == ("2024-01-01", D)


def test_cnsa_figures(esms_run):
    paths, _ = esms_run
    rows = _query(paths, "SELECT * FROM marts.esms_cnsa_figures WHERE measure_date = ?", [D])
    got = {r["finess_geo"]: r for r in rows}
    assert set(got) == set(EXPECTED_FIGURES), "one row per ESMS in force at D"
    for finess, expected in EXPECTED_FIGURES.items():
        diff = {k: (got[finess][k], v) for k, v in expected.items() if got[finess][k] != v}
        assert not diff, (finess, diff)
    assert got[E2]["file_active_atypique"] is True and got[E2]["annees_file_active"] == "2023"
    assert got[E3]["nb_annees_file_active"] == 2 and got[E3]["file_active_moyenne"] == 22.5


AUDIT_MODELS = ("audit_esms_dui_actifs", "audit_esms_dui_pp", "audit_esms_dui_agenda", "audit_esms_mss",
                "audit_esms_dmp")


def _audit(paths):
    """(indicator, FINESS, unit, unit_id) -> row of the auditors' trail (models/audit/audit_esms_*) at D."""
    rows = []
    for m in AUDIT_MODELS:
        rows += _query(paths, f"SELECT * FROM audit.{m} WHERE measure_date = ?", [D])
    got = {(r["indicator_id"], r["scope_id"], r["unit"], r["unit_id"]): r for r in rows}
    assert len(got) == len(rows), "one row per indicator x ESMS x unit"
    return got


def test_auditors_trail_ties_out_with_the_hand_computed_table(esms_run):
    paths, _ = esms_run
    audit = _audit(paths)
    assert E4 not in {k[1] for k in audit}, "an ESMS not in force at D is not audited"
    for (indicator, finess), (num, den, _) in EXPECTED.items():
        rows = [r for k, r in audit.items() if k[:2] == (indicator, finess)]
        assert sum(r["in_numerator"] for r in rows) == num, (indicator, finess)
        if indicator == "ESMS-DUI-ACTIFS":      # the declared mean file active: its years, mean rounded half up
            years = [int(r["unit_id"].split(":")[1]) for r in rows if r["in_denominator"]]
            assert (2 * sum(years) + len(years)) // (2 * len(years)) == den, finess
        else:
            assert sum(r["in_denominator"] for r in rows) == den, (indicator, finess)


def test_auditors_reasons_of_each_hand_built_dossier(esms_run):
    paths, _ = esms_run
    audit = _audit(paths)

    def reasons(indicator, unit):
        return {(k[1], k[3]): r["reason_code"] for k, r in audit.items() if k[0] == indicator and k[2] == unit}

    actifs = {(E1, d) for d in ("A01", "A05", "A06", "A07", "A08", "A09")} | {(E2, "B01"), (E2, "B02"), (E3, "C01")}
    assert reasons("ESMS-DUI-ACTIFS", "dui") == {k: "DUI_MIS_A_JOUR" for k in actifs}
    assert reasons("ESMS-DUI-ACTIFS", "file_active") == {
        (E1, "2021:45"): "FA_ANNEE_RETENUE", (E1, "2022:46"): "FA_ANNEE_RETENUE", (E1, "2023:51"): "FA_ANNEE_RETENUE",
        (E2, "2021:10"): "FA_ANNEE_NON_RETENUE", (E2, "2022:16"): "FA_ANNEE_NON_RETENUE",
        (E2, "2023:33"): "FA_ANNEE_RETENUE",                                    # atypique: 2023 only
        (E3, "2022:21"): "FA_ANNEE_RETENUE", (E3, "2023:24"): "FA_ANNEE_RETENUE"}
    assert reasons("ESMS-DUI-PP", "dui") == {
        (E1, "A01"): "PP_VALIDE", (E1, "A05"): "PP_VALIDE", (E1, "A07"): "PP_VALIDE",
        (E1, "A06"): "PP_NON_MIS_A_JOUR",                # updated only at creation (in the snapshot in force)
        (E1, "A08"): "PP_TERMINE",                       # ends on D (its other projet is CLOS)
        (E1, "A09"): "PP_PREPARATION_NON_ANTERIEURE",    # created on D
        (E2, "B01"): "PP_VALIDE", (E2, "B02"): "PP_ABSENT", (E3, "C01"): "PP_NON_MIS_A_JOUR"}
    assert reasons("ESMS-DUI-AGENDA", "dui") == {
        (E1, "A01"): "AGENDA_RDV", (E1, "A07"): "AGENDA_RDV", (E2, "B01"): "AGENDA_RDV",
        (E1, "A05"): "AGENDA_TRANSMISSION", (E2, "B02"): "AGENDA_TRANSMISSION",
        (E1, "A06"): "AGENDA_SANS_DUREE",
        (E1, "A08"): "AGENDA_ABSENT", (E1, "A09"): "AGENDA_ABSENT", (E3, "C01"): "AGENDA_ABSENT"}
    with_pp = {(E1, "A01"): "DUI_AVEC_PP", (E1, "A05"): "DUI_AVEC_PP", (E1, "A07"): "DUI_AVEC_PP",
               (E2, "B01"): "DUI_AVEC_PP"}
    assert reasons("ESMS-MSS", "dui") == with_pp and reasons("ESMS-DMP", "dui") == with_pp
    assert reasons("ESMS-MSS", "message") == {
        (E1, "MS01"): "MSS_ENVOYE", (E1, "MS03"): "MSS_NON_DISTRIBUE", (E1, "MS05"): "MSS_ENVOYE",
        (E1, "MS11"): "MSS_ENVOYE", (E2, "MS06"): "MSS_ENVOYE", (E3, "MS08"): "MSS_ENVOYE", (E3, "MS09"): "MSS_ENVOYE"}
    patients = {k: r for k, r in audit.items() if k[0] == "ESMS-DMP" and k[2] == "patient"}
    assert {r["reason_code"] for r in patients.values()} == {"DMP_ALIMENTE"}
    assert sorted((k[1], r["evidence_id"]) for k, r in patients.items()) == sorted(
        [(E1, "DOC02"), (E1, "DOC04"), (E1, "DOC05"), (E1, "DOC08"), (E3, "DOC09")])   # P1: its latest document
    clear_ins = set(P.values()) | {P_BAD_KEY}
    assert all(len(k[3]) == 64 and k[3] not in clear_ins for k in patients), "a patient is its keyed pseudonym"


def test_auditors_evidence_points_to_the_landing_row(esms_run):
    paths, _ = esms_run
    audit = _audit(paths)
    r = audit[("ESMS-DUI-ACTIFS", E1, "dui", "A05")]          # a March update delivered in the April file
    assert (r["evidence_kind"], r["evidence_id"], str(r["evidence_date"])) == ("evenement", "EV07", "2024-03-10")
    assert r["evidence_file"].endswith("dui_evenements_2024-04.csv") and r["evidence_line"] == 2
    assert len(r["evidence_sha256"]) == 64
    r = audit[("ESMS-DUI-ACTIFS", E1, "dui", "A07")]          # 00:30 local on 1 January: the local date counts
    assert (r["evidence_id"], str(r["evidence_date"])) == ("EV06", "2024-01-01")
    r = audit[("ESMS-DUI-AGENDA", E1, "dui", "A01")]          # a February entry in the March file
    assert (r["evidence_id"], str(r["evidence_date"])) == ("AG01", "2024-02-05")
    assert r["evidence_file"].endswith("dui_agenda_2024-03.csv")
    r = audit[("ESMS-DUI-PP", E1, "dui", "A08")]
    assert (r["evidence_kind"], r["evidence_id"], str(r["evidence_date"])) == ("projet", "PP08", D)
    r = audit[("ESMS-DUI-ACTIFS", E1, "file_active", "2023:51")]
    assert r["evidence_file"].endswith("esms_file_active_20240115.csv") and str(r["evidence_date"]) == "2024-01-15"
    assert audit[("ESMS-DUI-PP", E2, "dui", "B02")]["evidence_kind"] is None   # no projet: nothing to show


def test_auditors_trail_of_the_region_indicators(esms_run):
    """The E-parcours scaffolding of this landing, seen by the auditors' trail: E1 (an EHPAD of the FINESS stock,
    no ROR extract) is in the EP-3.2 MEDICO_SOCIAL denominator as absent from the ROR, its FINESS line the evidence;
    no DAC dossier, so no EP-4.2 row; no MSSanté directory, so the one EP-5.2 row says there is none."""
    paths, _ = esms_run
    eg = _query(paths, "SELECT * FROM audit.audit_ep_3_2_ror_qualite WHERE measure_date = ?", [D])
    assert [(r["subgroup"], r["unit_id"], r["in_denominator"], r["in_numerator"], r["reason_code"],
             r["evidence_kind"], r["evidence_file"], r["evidence_line"]) for r in eg] == [
        ("MEDICO_SOCIAL", E1, True, False, "EP32_ABSENT_ROR", "finess",
         "finess/etalab-cs1100507-stock-20240101-0330.csv", 3)]
    assert _query(paths, "SELECT * FROM audit.audit_ep_4_2_synthese_dmp WHERE measure_date = ?", [D]) == []
    ann = _query(paths, "SELECT * FROM audit.audit_ep_5_2_annuaire_mssante WHERE measure_date = ?", [D])
    assert [(r["unit_id"], r["in_denominator"], r["in_numerator"], r["reason_code"], r["evidence_date"])
            for r in ann] == [(None, False, False, "EP52_AUCUN_ANNUAIRE", None)]
    res = {r["indicator_id"]: r for r in _query(
        paths, "SELECT * FROM marts.indicator_results WHERE measure_date = ? AND indicator_id IN "
               "('EP-3.2', 'EP-4.2', 'EP-5.2') AND coalesce(subgroup, 'MEDICO_SOCIAL') = 'MEDICO_SOCIAL'", [D])}
    assert (res["EP-3.2"]["numerator"], res["EP-3.2"]["denominator"]) == (0, 1)
    assert (res["EP-4.2"]["numerator"], res["EP-4.2"]["denominator"]) == (0, 0)
    assert res["EP-5.2"]["numerator"] is None


def test_dac_audit_trail_of_a_dac_without_dossier(esms_run):
    """The scaffolding DAC has no dossier: its EP-6.1 .. EP-6.4 rows are 0/0 and the auditors' trail lists no
    dossier for it (the counts of the trail are the published figures)."""
    paths, _ = esms_run
    results = _query(paths, "SELECT indicator_id, numerator, denominator FROM marts.indicator_results "
                            "WHERE measure_date = ? AND scope_type = 'dac' AND indicator_id LIKE 'EP-6.%'", [D])
    assert sorted(r["indicator_id"] for r in results) == ["EP-6.1", "EP-6.2", "EP-6.3", "EP-6.4-ECHANGE",
                                                          "EP-6.4-EQUIPE"]
    assert {(r["numerator"], r["denominator"]) for r in results} == {(0, 0)}
    for model in ("audit_ep_6_1_dossiers_actifs", "audit_ep_6_2_primo_evaluation", "audit_ep_6_3_notifications",
                  "audit_ep_6_4_equipe", "audit_ep_6_4_echange"):
        assert _query(paths, f"SELECT count(*) AS n FROM audit.{model}")[0]["n"] == 0, model
