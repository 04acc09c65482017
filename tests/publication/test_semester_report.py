"""The semestrial report (publication/semester_report.py), checked page by page with pypdf on a small publish
database built here with hand-chosen figures: 2 DAC, 1 CPTS, 3 ESMS, the four quarters of 2024, declaratives,
and a target raised in the middle of the year (EP-6.1: 60 % then 70 % from 01/07/2024; ESMS: no target in the
2021 bootstrap tier, then 90 % / 70 % from 01/04/2024).

Every expected string below is written out by hand from the figures of the fixture (85,7 % = 6 / 7, ...).
"""
import hashlib
import re
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from pypdf import PdfReader

from dagster_project.publication.semester_report import (
    _pages,
    fr_value,
    semester_digest,
    semester_quarters,
    semesters,
    write_semester_report,
)

Q1, Q2, Q3, Q4 = date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)
S1, S2 = Q2, Q4
RESULTS_SHA = hashlib.sha256(b"indicator_results.csv of the test").hexdigest()

DDL = """
CREATE SCHEMA publish;
CREATE TABLE publish.indicator_results (indicator_id VARCHAR, label VARCHAR, programme VARCHAR,
  scope_type VARCHAR, scope_id VARCHAR, subgroup VARCHAR, period_start DATE, period_end DATE, numerator BIGINT,
  denominator BIGINT, value DOUBLE, target DOUBLE, target_met BOOLEAN, status VARCHAR, reference_document VARCHAR,
  measure_date DATE, evidence_reference VARCHAR, evidence_date DATE, extra_column VARCHAR);
CREATE TABLE publish.indicator_catalogue (indicator_id VARCHAR, label VARCHAR, programme VARCHAR,
  computation VARCHAR, unit VARCHAR, reference_document VARCHAR, scopes VARCHAR, retired BOOLEAN, model VARCHAR);
CREATE TABLE publish.indicator_targets (indicator_id VARCHAR, subgroup VARCHAR, reference_document VARCHAR,
  applies_from DATE, target DOUBLE, comparison VARCHAR, unit VARCHAR, retired BOOLEAN, source VARCHAR);
CREATE TABLE publish.structures (finess VARCHAR, scope_type VARCHAR, name VARCHAR, galis_ref VARCHAR,
  categetab VARCHAR, libcategetab VARCHAR, departement VARCHAR, code_region VARCHAR, last_seen DATE);
CREATE TABLE publish.quarantine_summary (source VARCHAR, table_name VARCHAR, file_name VARCHAR, rule VARCHAR,
  severity VARCHAR, n_rows BIGINT, first_line BIGINT, example_reason VARCHAR);
"""

CATALOGUE = """
INSERT INTO publish.indicator_catalogue VALUES
 ('EP-5.2', 'Annuaire régional des correspondants MSSanté actualisé', 'E-parcours', 'computed', 'jours',
  'note_2021_216', 'region', false, 'ind_ep_5_2'),
 ('EP-6.1', 'Dossiers de coordination actualisés dans le trimestre (DAC)', 'E-parcours', 'computed', '%',
  'note_2021_216', 'dac, region', false, 'ind_ep_6_1'),
 ('EP-6.5', 'Rendez-vous dans l''agenda partagé (supprimé)', 'E-parcours', 'retired', '%', 'guide_2020',
  'dac, region', true, NULL),
 ('EP-7.1', 'Membres ayant publié sur le réseau social (CPTS)', 'E-parcours', 'computed', '%', 'note_2021_216',
  'cpts, region', false, 'ind_ep_7_1'),
 ('EP-INS', 'Dossiers avec une INS qualifiée', 'E-parcours', 'computed', '%', 'rulebook', 'dac, cpts, region',
  false, 'ind_ep_ins'),
 ('1.1', 'Organisation régionale de l''identito-vigilance', 'E-parcours', 'declarative', 'O/N', 'note_2021_216',
  'region', false, 'ind_ep_declaratifs'),
 ('6.6', 'Tableau de bord trimestriel du DAC', 'E-parcours', 'declarative', 'O/N', 'note_2021_216', 'region',
  false, 'ind_ep_declaratifs'),
 ('ESMS-DUI-ACTIFS', 'DUI actifs rapportés aux personnes accompagnées', 'ESMS Numérique', 'computed', '%',
  'instruction_2024_15', 'esms', false, 'ind_esms_dui_actifs'),
 ('ESMS-DUI-PP', 'DUI actifs avec un projet personnalisé', 'ESMS Numérique', 'computed', '%',
  'instruction_2024_15', 'esms', false, 'ind_esms_dui_pp'),
 ('ESMS-DUI-AGENDA', 'DUI actifs avec un événement d''agenda', 'ESMS Numérique', 'computed', '%',
  'instruction_2024_15', 'esms', false, 'ind_esms_dui_agenda'),
 ('ESMS-MSS', 'Messages MSSanté rapportés aux DUI avec PP', 'ESMS Numérique', 'computed', '%',
  'instruction_2024_15', 'esms', false, 'ind_esms_mss'),
 ('ESMS-DMP', 'DMP alimentés rapportés aux DUI avec PP', 'ESMS Numérique', 'computed', '%',
  'instruction_2024_15', 'esms', false, 'ind_esms_dmp')
"""

# EP-6.1: the guide's tier (50 %) must never be picked for rows of the note; the note's tier rises mid-year.
TARGETS = """
INSERT INTO publish.indicator_targets VALUES
 ('EP-6.1', NULL, 'guide_2020', DATE '2020-12-31', 50, 'gte', '%', false, 'Guide 2020 : 50 % (ne pas citer)'),
 ('EP-6.1', NULL, 'note_2021_216', DATE '2020-12-31', 60, 'gte', '%', false, 'Note 2021 : « Valeur cible 60% »'),
 ('EP-6.1', NULL, 'note_2021_216', DATE '2024-07-01', 70, 'gte', '%', false,
  'Note 2021 : « 70 % à compter du 01/07/2024 »'),
 ('EP-7.1', NULL, 'note_2021_216', DATE '2020-12-31', 40, 'gte', '%', false, 'Note 2021 fiche 7.1 : 40 %'),
 ('EP-5.2', NULL, 'note_2021_216', DATE '2020-12-31', 183, 'lte', 'jours', false,
  'Note 2021 : « actualisé semestriellement »'),
 ('EP-6.5', NULL, 'guide_2020', DATE '2020-12-31', 60, 'gte', '%', true, 'indicateur supprimé')
"""

ESMS_TIERS = {"ESMS-DUI-ACTIFS": 90, "ESMS-DUI-PP": 90, "ESMS-DUI-AGENDA": 90, "ESMS-MSS": 70, "ESMS-DMP": 70}

STRUCTURES = """
INSERT INTO publish.structures VALUES
 ('100000001', 'dac', 'DAC Nord Isère', NULL, '606', 'DAC', '38', '84', DATE '2024-10-01'),
 ('100000002', 'dac', 'DAC Sud Drôme', NULL, '606', 'DAC', '26', '84', DATE '2024-10-01'),
 ('200000001', 'cpts', 'CPTS Centre Loire', NULL, '604', 'CPTS', '42', '84', DATE '2024-10-01'),
 ('300000001', 'esms', 'EHPAD Les Tilleuls', '01234567', '500', 'EHPAD', '69', '84', DATE '2024-10-01'),
 ('300000002', 'esms', 'MAS La Source', '01234567', '255', 'Maison d''accueil spécialisée', '69', '84',
  DATE '2024-10-01'),
 ('300000003', 'esms', 'EHPAD Les Chênes', '07654321', '500', 'EHPAD', '01', '84', DATE '2024-10-01')
"""

QUARANTINE = """
INSERT INTO publish.quarantine_summary VALUES
 ('coordination', 'coord_dossiers', 'coordination/coord_dossiers_2024-03.csv', 'bad_date', 'rejected', 3, 12,
  'date_ouverture = ''31/02/2024'' is not a date'),
 ('coordination', 'coord_dossiers', 'coordination/coord_dossiers_2024-05.csv', 'bad_date', 'rejected', 2, 40,
  'date_ouverture = ''2024-13-01'' is not a date'),
 ('dmp', 'dmp_documents', 'dmp/dmp_documents_2024-04.csv', 'missing_required', 'rejected', 1, 7,
  'type_code is required and empty')
"""

# (numerator, denominator) per quarter Q1..Q4; None = no row published for that quarter.
DAC_EP61 = {"100000001": [(6, 7), (3, 8), (9, 12), (7, 10)], "100000002": [(2, 4), (5, 5), (1, 3), (0, 0)]}
REGION_EP61 = [(8, 11), (8, 13), (10, 15), (7, 10)]             # the sums of the two DAC
EP_INS = {("dac", "100000001"): [None, None, (10, 12), (11, 12)], ("dac", "100000002"): [None, None, (3, 3), (2, 4)],
          ("cpts", "200000001"): [None, None, (5, 6), (6, 6)]}
REGION_INS = [None, None, (18, 21), (19, 22)]
CPTS_EP71 = [(4, 10), (3, 10), (12, 16), (1234, 2000)]          # the region has one CPTS: same figures
EP52_DAYS = [120, 150, 190, 200]
ESMS = {
    "300000001": {"ESMS-DUI-ACTIFS": [(45, 50), (46, 50), (47, 50), (48, 50)],
                  "ESMS-DUI-PP": [(40, 45), (41, 46), (42, 47), (43, 48)],
                  "ESMS-DUI-AGENDA": [(45, 45), (46, 46), (47, 47), (48, 48)],
                  "ESMS-MSS": [(50, 40), (60, 41), (70, 42), (80, 43)],
                  "ESMS-DMP": [(20, 40), (25, 41), (30, 42), (35, 43)]},
    "300000002": {"ESMS-DUI-ACTIFS": [None, (6, 30), (12, 30), (27, 30)],     # opened in Q2
                  "ESMS-DUI-PP": [None, (5, 6), (10, 12), (26, 27)],
                  "ESMS-DUI-AGENDA": [None, (3, 6), (6, 12), (20, 27)],
                  "ESMS-MSS": [None, (1, 5), (3, 10), (9, 26)],
                  "ESMS-DMP": [None, (0, 5), (1, 10), (13, 26)]},
    "300000003": {"ESMS-DUI-ACTIFS": [(10, 20), (12, 20), (15, 20), (0, 20)],
                  "ESMS-DUI-PP": [(5, 10), (6, 12), (14, 15), (0, 0)],
                  "ESMS-DUI-AGENDA": [(8, 10), (9, 12), (15, 15), (0, 0)],
                  "ESMS-MSS": [(2, 5), (3, 6), (7, 14), (0, 0)],
                  "ESMS-DMP": [(1, 5), (2, 6), (7, 14), (0, 0)]},
}
QUARTERS = [Q1, Q2, Q3, Q4]


def _value(n, d):
    return None if not d else round(100.0 * n / d, 2)


def _met(value, target, comparison="gte"):
    if value is None or target is None:
        return None
    return value >= target if comparison == "gte" else value <= target


def _result(con, indicator_id, programme, scope_type, scope_id, q, n, d, value, target, document,
            status=None, comparison="gte", evidence=None):
    status = status or ("no_data" if value is None else "final")
    start = date(q.year, q.month - 2, 1)
    met = _met(value, target, comparison)
    con.execute("INSERT INTO publish.indicator_results VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, 'ignored')",
                [indicator_id, f"libellé {indicator_id}", programme, scope_type, scope_id, start, q, n, d, value,
                 target, met, status, document, q, *(evidence or (None, None))])


def build_db(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute(DDL)
    con.execute(CATALOGUE)
    con.execute(TARGETS)
    for iid, target in ESMS_TIERS.items():
        con.execute("INSERT INTO publish.indicator_targets VALUES (?, NULL, 'instruction_2024_15', DATE '2021-01-01', "
                    "NULL, 'gte', '%', false, ?), (?, NULL, 'instruction_2024_15', DATE '2024-04-01', ?, 'gte', '%', "
                    "false, ?)", [iid, f"Instruction 2024 : phase d'amorçage, pas de cible ({iid})", iid, target,
                                  f"Instruction 2024 : cible {target} % ({iid})"])
    con.execute(STRUCTURES)
    con.execute(QUARANTINE)
    ep61_target = {Q1: 60, Q2: 60, Q3: 70, Q4: 70}
    for i, q in enumerate(QUARTERS):
        for finess, figures in DAC_EP61.items():
            n, d = figures[i]
            _result(con, "EP-6.1", "E-parcours", "dac", finess, q, n, d, _value(n, d), ep61_target[q], "note_2021_216")
        n, d = REGION_EP61[i]
        _result(con, "EP-6.1", "E-parcours", "region", "84", q, n, d, _value(n, d), ep61_target[q], "note_2021_216",
                status="provisional" if q == Q4 else None)
        for (scope_type, finess), figures in EP_INS.items():
            if figures[i]:
                n, d = figures[i]
                _result(con, "EP-INS", "E-parcours", scope_type, finess, q, n, d, _value(n, d), None, "rulebook")
        if REGION_INS[i]:
            n, d = REGION_INS[i]
            _result(con, "EP-INS", "E-parcours", "region", "84", q, n, d, _value(n, d), None, "rulebook")
        n, d = CPTS_EP71[i]
        for scope_type, scope_id in (("cpts", "200000001"), ("region", "84")):
            _result(con, "EP-7.1", "E-parcours", scope_type, scope_id, q, n, d, _value(n, d), 40, "note_2021_216")
        days = EP52_DAYS[i]
        _result(con, "EP-5.2", "E-parcours", "region", "84", q, days, None, float(days), 183, "note_2021_216",
                comparison="lte")
        for finess, indicators in ESMS.items():
            for iid, figures in indicators.items():
                if figures[i]:
                    n, d = figures[i]
                    target = ESMS_TIERS[iid] if q >= date(2024, 4, 1) else None
                    _result(con, iid, "ESMS Numérique", "esms", finess, q, n, d, _value(n, d), target,
                            "instruction_2024_15")
        _result(con, "1.1", "E-parcours", "region", "84", q, None, None, None, None, "note_2021_216", status="final",
                evidence=("GED/2024/identitovigilance_v4.pdf", date(2024, 2, 15)))
        # met = declared O/N: written directly (no value to compare)
        declared = {Q1: True, Q2: True, Q3: False, Q4: True}[q]
        con.execute("INSERT INTO publish.indicator_results VALUES ('6.6', 'libellé 6.6', 'E-parcours', 'region', "
                    "'84', NULL, ?, ?, NULL, NULL, NULL, NULL, ?, 'final', 'note_2021_216', ?, ?, ?, NULL)",
                    [date(q.year, q.month - 2, 1), q, declared, q,
                     f"GED/2024/Tableau_de_bord_DAC_T{i + 1}.xlsx" if declared else None,
                     date(q.year, q.month, 15) if declared else None])
    con.execute("UPDATE publish.indicator_results SET target_met = true WHERE indicator_id = '1.1'")
    con.close()
    return path


INFO = {
    "published_at": "2025-02-14T08:00:00+00:00",
    "code_version": "0.1.0+1a2b3c4",
    "region_code": "84",
    "region_name": "Auvergne-Rhône-Alpes",
    "results_sha256": RESULTS_SHA,
    "quality": {
        "files_ingested": 412, "files_refused": 1, "rows_loaded": 123456, "rows_quarantined": 6,
        "values_flagged": 2,
        "warnings": [{"id": "jump_structure", "table": "indicator_results",
                      "means": "Un DAC varie de plus de 40 points", "observed": "DAC 100000002 : +50 points"}],
        "overrides": [{"id": "volume_dui_evenements", "reason": "Livraison partielle connue de mars",
                       "by": "j.dupont", "at": "2025-02-13"}],
    },
}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("semester") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def reports(db, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("reports")
    return {s: write_semester_report(db, out, s, INFO) for s in (S1, S2)}


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pages(path: Path) -> list[str]:
    return [flat(p.extract_text()) for p in PdfReader(path).pages]


def section(texts: list[str], start: str, end: str | None) -> str:
    """The text from the page where ``start`` appears up to (excluding) the page where ``end`` appears."""
    i = next(n for n, t in enumerate(texts) if start in t)
    j = next((n for n, t in enumerate(texts) if end and end in t and n > i), len(texts))
    return " ".join(texts[i:j])


# --------------------------------------------------------------------------------------------------------

def test_semesters_are_the_semester_ends_among_measure_dates(db):
    # Regression: 31/03 and 30/09 are measure dates but not semester ends.
    assert semesters(db) == [S1, S2]
    assert semester_quarters(S1) == (Q1, Q2) and semester_quarters(S2) == (Q3, Q4)
    with pytest.raises(ValueError):
        semester_quarters(Q3)


def test_french_number_format():
    assert fr_value(85.714, "%") == "85,7 %"
    assert fr_value(1234.56, "%") == "1 234,6 %"
    assert fr_value(200.0, "jours") == "200 j"
    assert fr_value(None, "%") == "—"


def test_file_names_and_title_page(reports):
    assert reports[S1].name == "rapport_semestriel_84_2024-S1.pdf"
    assert reports[S2].name == "rapport_semestriel_84_2024-S2.pdf"
    title = pages(reports[S2])[0]
    assert "Rapport semestriel des indicateurs d'usage" in title
    assert "Région 84 Auvergne-Rhône-Alpes" in title
    assert "2e semestre 2024 (2024-S2), arrêté au 31/12/2024" in title
    assert "Dates de mesure couvertes 30/09/2024 (T3 2024) et 31/12/2024 (T4 2024)" in title
    assert "Date de publication 14/02/2025 à 08:00 (UTC)" in title
    assert "Version du code 0.1.0+1a2b3c4" in title
    assert RESULTS_SHA in title
    assert "2 DAC, 1 CPTS, 3 ESMS" in title
    assert "1er semestre 2024 (2024-S1), arrêté au 30/06/2024" in pages(reports[S1])[0]
    assert "31/03/2024 (T1 2024) et 30/06/2024 (T2 2024)" in pages(reports[S1])[0]


def test_summary_at_the_semester_end_with_the_tier_in_force_and_its_quotation(reports):
    s2 = section(pages(reports[S2]), "1. Synthèse régionale au 31/12/2024", "2. Évolution trimestrielle")
    # EP-6.1 region at 31/12: 7 / 10 = 70,0 % against the raised tier (70 % from 01/07/2024), provisional.
    assert ("7 10 70,0 % au moins 70 % atteinte provisoire note_2021_216 (palier du 01/07/2024) "
            "Note 2021 : « 70 % à compter du 01/07/2024 »") in s2
    assert "Valeur cible 60%" not in s2 and "ne pas citer" not in s2       # older tier, other document
    # EP-5.2: days, compared with « au plus ».
    assert "200 — 200 j au plus 183 j non atteinte définitif" in s2
    assert "Note 2021 : « actualisé semestriellement »" in s2
    # EP-7.1: thousands with a space, 1234 / 2000 = 61,7 %.
    assert "1 234 2 000 61,7 % au moins 40 % atteinte définitif" in s2
    # EP-INS: no tier at all.
    assert "19 22 86,4 % — sans cible définitif rulebook aucun palier de cible" in s2
    # ESMS at 31/12, Σ over the three ESMS: DUI-ACTIFS (48 + 27 + 0) / (50 + 30 + 20) = 75,0 %;
    # met by 300000001 (96 %) and 300000002 (90 %), not 300000003 (0 %).
    assert ("ESMS-DUI-ACTIFS · ensemble des 3 ESMS (Σ num. / Σ dén.) DUI actifs rapportés aux personnes "
            "accompagnées 75 100 75,0 % au moins 90 % 2 ESMS sur 3 définitif instruction_2024_15 "
            "(palier du 01/04/2024) Instruction 2024 : cible 90 % (ESMS-DUI-ACTIFS)") in s2
    # ESMS-MSS may exceed 100 %: (80 + 9 + 0) / (43 + 26 + 0) = 129,0 %; 300000003 has no data (0 / 0).
    assert "89 69 129,0 % au moins 70 % 1 ESMS sur 2" in s2
    # the retired indicator is not reported
    assert "EP-6.5" not in " ".join(pages(reports[S2]))

    s1 = section(pages(reports[S1]), "1. Synthèse régionale au 30/06/2024", "2. Évolution trimestrielle")
    assert ("8 13 61,5 % au moins 60 % atteinte définitif note_2021_216 (palier du 31/12/2020) "
            "Note 2021 : « Valeur cible 60% »") in s1
    assert "à compter du 01/07/2024" not in s1
    # ESMS at 30/06 (the target exists since 01/04): DUI-PP (41 + 5 + 6) / (46 + 6 + 12) = 81,25 %, rounded
    # half up; nobody at 90 %.
    assert "52 64 81,3 % au moins 90 % 0 ESMS sur 3" in s1


def test_summary_per_structure_type(reports):
    s2 = section(pages(reports[S2]), "par catégorie au 31/12/2024", "2. Évolution trimestrielle")
    # columns in natural order: DMP, DUI-ACTIFS, DUI-AGENDA, DUI-PP, MSS
    assert "Ensemble de la région 3" in s2
    # EHPAD = 300000001 + 300000003: DMP 35 / 43 = 81,4 % (0 / 0 adds nothing); DUI-ACTIFS 48 / 70 = 68,6 %
    assert "EHPAD 2 81,4 % 1 / 1 à la cible 68,6 % 1 / 2 à la cible" in s2
    assert "Maison d'accueil spécialisée 1 50,0 % 0 / 1 à la cible 90,0 % 1 / 1 à la cible" in s2


def test_per_structure_tables_for_both_quarters(reports):
    texts = pages(reports[S2])
    dac = section(texts, "3.1. Résultats par structure — Dispositifs", "3.2.")
    assert "T3 2024 — mesure au 30/09/2024 T4 2024 — mesure au 31/12/2024" in dac
    assert "100000001 EP-6.1 9 12 75,0 % 70 % oui définitif 7 10 70,0 % 70 % oui définitif" in dac
    assert "DAC Nord Isère EP-INS 10 12 83,3 % — — définitif 11 12 91,7 % — — définitif" in dac
    assert "100000002 EP-6.1 1 3 33,3 % 70 % non définitif 0 0 — 70 % — sans donnée" in dac
    cpts = section(texts, "3.2. Résultats par structure — Communautés", "3.3.")
    assert "200000001 EP-7.1 12 16 75,0 % 40 % oui définitif 1 234 2 000 61,7 % 40 % oui définitif" in cpts
    esms = section(texts, "3.3. Résultats par structure — Établissements", "4. Indicateurs déclaratifs")
    assert ("300000001 ESMS-DMP 30 42 71,4 % 70 % oui définitif 35 43 81,4 % 70 % oui définitif "
            "EHPAD Les Tilleuls ESMS-DUI-ACTIFS 47 50 94,0 % 90 % oui définitif 48 50 96,0 % 90 % oui définitif") in esms
    # 80 / 43 = 186,046… %: published as 186.05, shown 186,0 % (the exact ratio, not a rounding of a rounding)
    assert "ESMS-MSS 70 42 166,7 % 70 % oui définitif 80 43 186,0 % 70 % oui définitif" in esms
    assert "300000003 ESMS-DMP 7 14 50,0 % 70 % non définitif 0 0 — 70 % — sans donnée" in esms

    # S1: the MAS opened in Q2 has no row at 31/03 (« absent »); the ESMS tier has no target at 31/03, 90 % at
    # 30/06.
    esms1 = section(pages(reports[S1]), "3.3. Résultats par structure", "4. Indicateurs déclaratifs")
    assert ("EHPAD Les Tilleuls ESMS-DUI-ACTIFS 45 50 90,0 % — — définitif 46 50 92,0 % 90 % oui définitif"
            in esms1)
    assert ("300000002 ESMS-DMP — — — — — absent 0 5 0,0 % 70 % non définitif "
            "MAS La Source ESMS-DUI-ACTIFS — — — — — absent 6 30 20,0 % 90 % non définitif") in esms1
    dac1 = section(pages(reports[S1]), "3.1. Résultats par structure", "3.2.")
    # one indicator per DAC in S1 (EP-INS starts in Q3): FINESS and name share the single row
    assert "100000001 DAC Nord Isère EP-6.1 6 7 85,7 % 60 % oui définitif 3 8 37,5 % 60 % non définitif" in dac1


def test_declaratives_and_quality(reports):
    texts = pages(reports[S2])
    decl = section(texts, "4. Indicateurs déclaratifs", None)
    assert ("1.1 Organisation régionale de l'identito-vigilance 31/12/2024 oui (O) définitif "
            "GED/2024/identitovigilance_v4.pdf 15/02/2024") in decl
    assert "6.6 Tableau de bord trimestriel du DAC 30/09/2024 non (N) définitif — —" in decl
    assert "6.6 Tableau de bord trimestriel du DAC 31/12/2024 oui (O) définitif GED/2024/Tableau_de_bord_DAC_T4.xlsx 15/12/2024" in decl
    assert "31/03/2024" not in decl                                       # only the semester's quarters
    assert ("Fichiers ingérés 412 Fichiers refusés 1 Lignes chargées 123 456 Lignes en quarantaine (rejetées) 6 "
            "Valeurs signalées (chargées, marquées invalides) 2") in decl
    assert "jump_structure indicator_results Un DAC varie de plus de 40 points DAC 100000002 : +50 points" in decl
    assert "volume_dui_evenements Livraison partielle connue de mars j.dupont 2025-02-13" in decl
    assert "coord_dossiers bad_date rejected 2 5 date_ouverture = '31/02/2024' is not a date" in decl
    assert "dmp_documents missing_required rejected 1 1" in decl


def test_charts_are_vector_drawings_with_the_target(reports):
    reader = PdfReader(reports[S2])
    texts = [flat(p.extract_text()) for p in reader.pages]
    first = next(i for i, t in enumerate(texts) if "2. Évolution trimestrielle" in t)
    last = next(i for i, t in enumerate(texts) if "3.1. Résultats par structure" in t)
    streams = [reader.pages[i].get_contents().get_data() for i in range(first, last)]
    charts = b"".join(streams)
    # One dashed target segment per stretch of equal targets: EP-5.2 1, EP-6.1 2 (60 % then 70 %), EP-7.1 1,
    # EP-INS 0, five ESMS 1 each (no target at 31/03, then one tier) = 9.
    assert charts.count(b"[3 2] 0 d") == 9
    assert charts.count(b" re f") >= 2 * 9                                 # the semester's two shaded quarters
    assert re.search(rb"\d m [\d. ]+ l [\d. ]+ l", charts)                  # value polylines
    chart_text = " ".join(texts[first:last])
    for caption in ("EP-5.2 — Annuaire", "EP-6.1 — Dossiers", "EP-7.1 — Membres", "EP-INS — Dossiers",
                    "ESMS-MSS · ensemble des ESMS (Σ num. / Σ dén.)"):
        assert caption in chart_text
    assert "Au 31/12/2024 : 70,0 %, cible au moins 70 %" in chart_text
    assert "Au 31/12/2024 : 200 j, cible au plus 183 j" in chart_text
    for i, s in enumerate(streams):                                       # charts pages only
        assert b"[3 2] 0 d" in s, f"page {first + i + 1} has no chart"
    others = [reader.pages[i].get_contents().get_data() for i in range(len(reader.pages)) if not first <= i < last]
    assert all(b"[3 2] 0 d" not in s for s in others)


def test_page_count_sections_and_footer(reports):
    texts = pages(reports[S2])
    # title, summary, charts (2 pages), DAC, CPTS, ESMS, declaratives + quality
    assert len(texts) == 8
    starts = {name: next(i for i, t in enumerate(texts) if t.startswith(name)) + 1
              for name in ("Rapport semestriel des indicateurs", "1. Synthèse régionale", "2. Évolution",
                           "3.1. Résultats", "3.2. Résultats", "3.3. Résultats", "4. Indicateurs déclaratifs")}
    assert list(starts.values()) == [1, 2, 3, 5, 6, 7, 8]
    for n, t in enumerate(texts, start=1):
        assert t.endswith(f"Rapport semestriel — région 84 Auvergne-Rhône-Alpes — 2e semestre 2024 (2024-S2) "
                          f"page {n} / 8")


def test_same_inputs_same_bytes_and_only_the_date_differs(db, reports, tmp_path):
    again = write_semester_report(db, tmp_path, S2, INFO)
    assert again.read_bytes() == reports[S2].read_bytes()
    later = write_semester_report(db, tmp_path / "later", S2, {**INFO, "published_at": "2025-08-01T07:00:00+02:00"})
    a, b = pages(reports[S2]), pages(later)
    assert a[1:] == b[1:]
    assert "01/08/2025 à 07:00 (UTC+02:00)" in b[0]
    assert a[0].replace("14/02/2025 à 08:00 (UTC)", "01/08/2025 à 07:00 (UTC+02:00)") == b[0]


def test_digest_changes_with_what_the_report_shows_and_nothing_else(db, reports, tmp_path):
    base = {s: semester_digest(db, s, INFO) for s in (S1, S2)}
    assert base[S1] != base[S2]
    # printed on the title page and carried in the PDF metadata, so the publication can compare
    assert base[S2] in pages(reports[S2])[0]
    assert base[S2] in PdfReader(reports[S2]).metadata["/Subject"]
    assert semester_digest(db, S2, {**INFO, "published_at": "2030-01-01T00:00:00+00:00"}) == base[S2]
    for change in ({"code_version": "0.2.0"}, {"results_sha256": "0" * 64}, {"region_name": "Autre"},
                   {"quality": {**INFO["quality"], "values_flagged": 3}}):
        assert semester_digest(db, S2, {**INFO, **change}) != base[S2], change

    def digests_after(sql: str) -> dict:
        copy = tmp_path / f"copy{len(list(tmp_path.iterdir()))}.duckdb"
        copy.write_bytes(db.read_bytes())
        con = duckdb.connect(str(copy))
        con.execute(sql)
        con.close()
        return {s: semester_digest(copy, s, INFO) for s in (S1, S2)}

    # a DAC figure at 31/12: S2 shows it, S1 does not
    d = digests_after("UPDATE publish.indicator_results SET numerator = 8 WHERE scope_id = '100000001' "
                      "AND indicator_id = 'EP-6.1' AND measure_date = DATE '2024-12-31'")
    assert d[S2] != base[S2] and d[S1] == base[S1]
    # a DAC figure at 31/03: S1 shows it; S2 shows regional history only
    d = digests_after("UPDATE publish.indicator_results SET numerator = 5 WHERE scope_id = '100000001' "
                      "AND indicator_id = 'EP-6.1' AND measure_date = DATE '2024-03-31'")
    assert d[S1] != base[S1] and d[S2] == base[S2]
    # a regional value at 31/03 is on the charts of both semesters
    d = digests_after("UPDATE publish.indicator_results SET value = 72.0 WHERE scope_type = 'region' "
                      "AND indicator_id = 'EP-6.1' AND measure_date = DATE '2024-03-31'")
    assert d[S1] != base[S1] and d[S2] != base[S2]
    # the source quotation of the tier in force
    d = digests_after("UPDATE publish.indicator_targets SET source = 'autre citation' "
                      "WHERE indicator_id = 'EP-6.1' AND applies_from = DATE '2024-07-01'")
    assert d[S2] != base[S2] and d[S1] == base[S1]
    # a declarative's evidence
    d = digests_after("UPDATE publish.indicator_results SET evidence_reference = 'GED/autre.pdf' "
                      "WHERE indicator_id = '1.1' AND measure_date = DATE '2024-12-31'")
    assert d[S2] != base[S2] and d[S1] == base[S1]
    # a quarter after the semester changes neither; nor does a column the report does not read
    d = digests_after("INSERT INTO publish.indicator_results SELECT * REPLACE (DATE '2025-03-31' AS measure_date, "
                      "1 AS numerator) FROM publish.indicator_results WHERE measure_date = DATE '2024-12-31'; "
                      "UPDATE publish.indicator_results SET extra_column = 'changed'")
    assert d == base


def test_missing_info_keys_are_tolerated(db, tmp_path):
    path = write_semester_report(db, tmp_path, S2, {})
    assert path.name == "rapport_semestriel_84_2024-S2.pdf"            # region code read from the regional rows
    texts = pages(path)
    assert "Date de publication non renseignée" in texts[0]
    assert "Version du code non renseignée" in texts[0]
    assert "Résumé de la qualité non fourni" in " ".join(texts)


def test_pagination_keeps_whole_structures():
    # Regression: a structure's rows (FINESS on the first, its name below) must never be cut across pages.
    blocks = [["a"] * 5, ["b"] * 5, ["c"] * 5, ["d"] * 3]
    assert _pages(blocks, first_capacity=7, capacity=10) == [[blocks[0]], [blocks[1], blocks[2]], [blocks[3]]]
    assert _pages([], 7, 10) == []


# --------------------------------------------------------------------------------------------------------
# A region-sized report: 40 DAC, 80 CPTS, 1,500 ESMS (figures derived from the row number, not realistic)

def build_region_db(path: Path) -> Path:
    build_db(path)
    con = duckdb.connect(str(path))
    con.execute("""
        INSERT INTO publish.structures
        SELECT CAST(400000000 + i AS VARCHAR), t, 'Structure ' || t || ' numéro ' || i || ' de Saint-Martin-sur-Loire',
               NULL, CAST(100 + i % 25 AS VARCHAR), 'Catégorie ' || (i % 25), '42', '84', DATE '2024-10-01'
        FROM (SELECT 'dac' AS t, range AS i FROM range(40) UNION ALL SELECT 'cpts', 1000 + range FROM range(80)
              UNION ALL SELECT 'esms', 10000 + range FROM range(1500))
    """)
    con.execute("""
        INSERT INTO publish.indicator_results
        SELECT r.indicator_id, r.label, r.programme, s.scope_type, s.finess, NULL, r.period_start, r.period_end,
               CAST(s.finess AS BIGINT) % 37 AS n, 40 + CAST(s.finess AS BIGINT) % 11 AS d,
               round(100.0 * (CAST(s.finess AS BIGINT) % 37) / (40 + CAST(s.finess AS BIGINT) % 11), 2), r.target,
               NULL, 'final', r.reference_document, r.measure_date, NULL, NULL, NULL
        FROM (SELECT DISTINCT indicator_id, label, programme, scope_type, period_start, period_end, target,
                     reference_document, measure_date
              FROM publish.indicator_results WHERE scope_type IN ('dac', 'cpts', 'esms')) AS r
        JOIN publish.structures AS s ON s.scope_type = r.scope_type AND s.finess LIKE '4%'
    """)
    con.execute("UPDATE publish.indicator_results SET target_met = value >= target "
                "WHERE scope_id LIKE '4%' AND target IS NOT NULL")
    con.close()
    return path


@pytest.mark.slow
def test_region_sized_report_is_quick_and_lists_every_structure_once(tmp_path):
    db = build_region_db(tmp_path / "region.duckdb")
    start = time.perf_counter()
    path = write_semester_report(db, tmp_path, S2, INFO)
    elapsed = time.perf_counter() - start
    print(f"region-sized semestrial report: {elapsed:.1f} s")
    # ~3.5 s measured on 2 shared cores; reportlab's own split of one long table took ~30 s (regression guard)
    assert elapsed < 15
    # Read the content streams (cells are plain strings drawn with Tj): much faster than extract_text.
    streams = [p.get_contents().get_data().decode("latin-1") for p in PdfReader(path).pages]
    total = len(streams)
    assert total > 80
    assert all(f"(page {n} / {total}) Tj" in s for n, s in enumerate(streams, start=1))
    cells = [re.findall(r"\((4\d{8})\) Tj", s) for s in streams]
    for prefix, count in (("4000000", 40), ("4000010", 80), ("40001", 1500)):
        found = [f for page in cells for f in page if f.startswith(prefix)]
        assert len(found) == len(set(found)) == count, prefix      # every structure, once: none cut or lost
    # every page of structures repeats the two header rows
    assert all("(FINESS, nom) Tj" in s for s, page in zip(streams, cells) if page)
