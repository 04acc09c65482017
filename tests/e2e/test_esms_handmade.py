"""The five ESMS Numérique indicators on a landing folder written by hand (tests/e2e/handmade_esms.py): each
numerator and denominator was computed by hand, dossier by dossier; a wrong rule shows up as a diff of this
table. Also the CNSA workbook figures (marts.esms_cnsa_figures) and the auditors' lists."""
import duckdb
import pytest

from dagster_project.pipeline import run_pipeline
from dagster_project.settings import Paths

from .handmade_esms import AS_OF, E1, E2, E3, E4, EXPECTED, EXPECTED_FIGURES, D, build_landing

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


def test_auditors_lists(esms_run):
    paths, _ = esms_run
    rows = _query(paths, "SELECT indicator_id, finess_geo, id_type, dossier_id, in_numerator, in_denominator "
                         "FROM marts.esms_audit_dossiers WHERE measure_date = ? AND finess_geo = ?", [D, E1])
    listed = {(r["indicator_id"], r["id_type"], r["dossier_id"]): (r["in_numerator"], r["in_denominator"])
              for r in rows}
    actifs = {"A01", "A05", "A06", "A07", "A08", "A09"}
    assert {d for (i, _, d) in listed if i == "ESMS-DUI-ACTIFS"} == actifs
    assert {d for (i, _, d), (n, _) in listed.items() if i == "ESMS-DUI-PP" and n} == {"A01", "A05", "A07"}
    assert {d for (i, _, d), (n, _) in listed.items() if i == "ESMS-DUI-AGENDA" and n} == {"A01", "A07"}
    assert {d for (i, t, d) in listed if i == "ESMS-MSS" and t == "message_id"} == {"MS01", "MS03", "MS05", "MS11"}
    assert {d for (i, t, d) in listed if i == "ESMS-MSS" and t == "dossier_id"} == {"A01", "A05", "A07"}
    assert len([1 for (i, t, _) in listed if i == "ESMS-DMP" and t == "ins"]) == 4


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
