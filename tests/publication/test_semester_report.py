"""The semestrial report (publication/report/) on a small analysts' file (tests/publication/publish_fixture.py):
2 DAC, 1 CPTS, 3 ESMS, the four quarters of 2024, declaratives, an EP-3.2 subgroup, a tier raised on 01/07/2024
(EP-7.1) and ESMS targets from 01/04/2024 (none at 31/03).

The report only lays out publish.*: every figure below is a text the fixture gives to a publish column (written
out by hand: 1 / 16 = « 6,3 % »), and the tests check that the PDF prints it, where it belongs, and no code.
"""
import hashlib
import re
import subprocess
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from pypdf import PdfReader

from dagster_project.publication.report import semester_digest, semesters, write_semester_report
from dagster_project.publication.report.layout import _pages, _wrap

from .publish_fixture import make_analysts_file

Q1, Q2, Q3, Q4 = date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)
S1, S2 = Q2, Q4
QUARTERS = [Q1, Q2, Q3, Q4]
NOTE = "note_2021_216"
RESULTS_SHA = hashlib.sha256(b"indicator_results.csv of the test").hexdigest()
SAME_TIER = "001 l.131 — même palier que le guide 2020, repris par la note : applicable dès la date du guide"


def pct(text: str) -> str:
    """The published texts have a no-break space before the unit and between thousands (« 1 234 / 2 000 »)."""
    text = re.sub(r"(?<=\d) (?=\d{3}\b)", "\u00a0", text)
    return re.sub(r" (%|jours)", "\u00a0\\1", text)


def attainment(value, target, comparison="gte") -> str:
    if target is None:
        return "sans cible"
    if value is None:
        return "non évaluable"
    return "atteinte" if (value >= target if comparison == "gte" else value <= target) else "non atteinte"


def result(indicator_id, scope_type, scope_id, q, n, d, value_text, target=None, *, status=None,
           comparison="gte", tier=None, source=None, unit_word="%", **extra) -> dict:
    """A row of publish.indicator_results with its published texts (value_text written by hand)."""
    value = None if not d else round(100.0 * n / d, 2)
    if d is None and n is not None:
        value = float(n)                                                 # EP-5.2: days, no denominator
    status = status or ("no_data" if value is None else "final")
    row = {
        "indicator_id": indicator_id, "scope_type": scope_type, "scope_id": scope_id, "measure_date": q,
        "period_start": date(q.year, q.month - 2, 1), "period_end": q, "numerator": n, "denominator": d,
        "value": value, "target": target, "status": status, "reference_document": extra.pop("document", NOTE),
        "comparison": comparison if target is not None else None, "target_applies_from": tier,
        "target_source": source, "value_text": pct(value_text) if value_text else None,
        "ratio_text": pct(extra.pop("ratio_text", f"{n} / {d}")) if d is not None else None,
        "target_text": pct(f"{'au moins' if comparison == 'gte' else 'au plus'} {target:g} {unit_word}")
        if target is not None else "sans cible",
        "attainment_label": attainment(value, target, comparison),
        "target_met": None if value is None or target is None else attainment(value, target, comparison) == "atteinte",
    }
    return row | extra


# EP-6.1, DAC and region: (n, d, value_text) per quarter; tier 60 % since 31/12/2020 (the seed's quotation).
EP61 = {"100000001": [(6, 7, "85,7 %"), (3, 8, "37,5 %"), (9, 12, "75,0 %"), (1, 16, "6,3 %")],
        "100000002": [(2, 4, "50,0 %"), (5, 5, "100,0 %"), (1, 3, "33,3 %"), (0, 0, None)],
        "84": [(8, 11, "72,7 %"), (8, 13, "61,5 %"), (10, 15, "66,7 %"), (1, 16, "6,3 %")]}
# EP-7.1, the CPTS and the region (same figures); 40 % then 45 % from 01/07/2024.
EP71 = [(4, 10, "40,0 %"), (3, 10, "30,0 %"), (12, 16, "75,0 %"), (1234, 2000, "61,7 %")]
EP71_TIER = {Q1: (40, date(2020, 12, 31), "Note 2021 fiche 7.1 : 40 %"), Q2: (40, date(2020, 12, 31), "Note 2021 fiche 7.1 : 40 %"),
             Q3: (45, date(2024, 7, 1), "Note 2021 : « 45 % à compter du 01/07/2024 »"),
             Q4: (45, date(2024, 7, 1), "Note 2021 : « 45 % à compter du 01/07/2024 »")}
EP52_DAYS = [120, 150, 190, 200]
# EP-3.2, region, subgroup SAN_HAD_USLD
EP32 = [(3, 4, "75,0 %"), (3, 5, "60,0 %"), (2, 5, "40,0 %"), (4, 5, "80,0 %")]
# ESMS per structure: (n, d, value_text) per quarter, None = no row (the MAS opened in Q2). Targets from Q2.
ESMS = {
    "300000001": {"ESMS-DUI-ACTIFS": [(45, 50, "90,0 %"), (46, 50, "92,0 %"), (47, 50, "94,0 %"), (48, 50, "96,0 %")],
                  "ESMS-MSS": [(50, 40, "125,0 %"), (60, 41, "146,3 %"), (70, 42, "166,7 %"), (80, 43, "186,0 %")]},
    "300000002": {"ESMS-DUI-ACTIFS": [None, (6, 30, "20,0 %"), (12, 30, "40,0 %"), (27, 30, "90,0 %")],
                  "ESMS-MSS": [None, (1, 5, "20,0 %"), (3, 10, "30,0 %"), (9, 26, "34,6 %")]},
    "300000003": {"ESMS-DUI-ACTIFS": [(10, 20, "50,0 %"), (12, 20, "60,0 %"), (15, 20, "75,0 %"), (0, 20, "0,0 %")],
                  "ESMS-MSS": [(2, 5, "40,0 %"), (3, 6, "50,0 %"), (7, 14, "50,0 %"), (0, 0, None)]},
}
ESMS_TARGET = {"ESMS-DUI-ACTIFS": 90, "ESMS-MSS": 70}
BOOTSTRAP = "003 l.102 phase d'amorçage 2021 : pas de cible"
# publish.pooled_results, grouping region: (n_structures, n, d, value_text, attainment_label) per quarter
POOLED_REGION = {
    "ESMS-DUI-ACTIFS": [(2, 55, 70, "78,6 %", None), (3, 64, 100, "64,0 %", "1 ESMS sur 3"),
                        (3, 74, 100, "74,0 %", "1 ESMS sur 3"), (3, 75, 100, "75,0 %", "2 ESMS sur 3")],
    "ESMS-MSS": [(2, 52, 45, "115,6 %", None), (3, 64, 52, "123,1 %", "1 ESMS sur 3"),
                 (3, 80, 66, "121,2 %", "1 ESMS sur 3"), (3, 89, 69, "129,0 %", "1 ESMS sur 2")]}
# grouping categorie at the semester ends: {end: {categorie: {indicator: (n_structures, n, d, value_text, attainment)}}}
POOLED_CATEGORIES = {
    Q2: {"EHPAD": {"ESMS-DUI-ACTIFS": (2, 58, 70, "82,9 %", "1 ESMS sur 2"),
                   "ESMS-MSS": (2, 63, 47, "134,0 %", "1 ESMS sur 2")},
         "Maison d'accueil spécialisée": {"ESMS-DUI-ACTIFS": (1, 6, 30, "20,0 %", "0 ESMS sur 1"),
                                          "ESMS-MSS": (1, 1, 5, "20,0 %", "0 ESMS sur 1")}},
    Q4: {"EHPAD": {"ESMS-DUI-ACTIFS": (2, 48, 70, "68,6 %", "1 ESMS sur 2"),
                   "ESMS-MSS": (2, 80, 43, "186,0 %", "1 ESMS sur 1")},
         "Maison d'accueil spécialisée": {"ESMS-DUI-ACTIFS": (1, 27, 30, "90,0 %", "1 ESMS sur 1"),
                                          "ESMS-MSS": (1, 9, 26, "34,6 %", "0 ESMS sur 1")}},
}

STRUCTURES = [
    {"finess": "100000001", "scope_type": "dac", "name": "DAC Nord Isère", "libcategetab": "DAC"},
    {"finess": "100000002", "scope_type": "dac", "name": "DAC Sud Drôme", "libcategetab": "DAC"},
    {"finess": "200000001", "scope_type": "cpts", "name": "CPTS Centre Loire", "libcategetab": "CPTS"},
    {"finess": "300000001", "scope_type": "esms", "name": "EHPAD Les Tilleuls", "libcategetab": "EHPAD"},
    {"finess": "300000002", "scope_type": "esms", "name": "MAS La Source", "libcategetab": "Maison d'accueil spécialisée"},
    {"finess": "300000003", "scope_type": "esms", "name": "EHPAD Les Chênes", "libcategetab": "EHPAD"},
]

QUARANTINE = [
    {"source": "coordination", "table_name": "coord_dossiers", "file_name": "coordination/coord_dossiers_2024-03.csv",
     "rule": "bad_date", "severity": "rejected", "n_rows": 3, "first_line": 12,
     "example_reason": "date_ouverture = '31/02/2024' is not a date", "example_column": "date_ouverture"},
    {"source": "ror", "table_name": "ror_ue_activite", "file_name": "ror/ror_ue_activite_20240615.csv",
     "rule": "unknown_code", "severity": "flagged", "n_rows": 2, "first_line": 40,
     "example_reason": "activite_operationnelle = '999' is not in the code list",
     "example_column": "activite_operationnelle"},
]


def fixture_rows() -> dict:
    results, pooled = [], []
    for i, q in enumerate(QUARTERS):
        for scope_id, figures in EP61.items():
            n, d, text = figures[i]
            scope_type = "region" if scope_id == "84" else "dac"
            status = "provisional" if scope_type == "region" and q == Q4 else None
            results.append(result("EP-6.1", scope_type, scope_id, q, n, d, text, 60, status=status,
                                  tier=date(2020, 12, 31), source=SAME_TIER))
        n, d, text = EP71[i]
        target, tier, source = EP71_TIER[q]
        for scope_type, scope_id in (("cpts", "200000001"), ("region", "84")):
            results.append(result("EP-7.1", scope_type, scope_id, q, n, d, text, target, tier=tier, source=source,
                                  ratio_text="1 234 / 2 000" if n == 1234 else f"{n} / {d}"))
        days = EP52_DAYS[i]
        results.append(result("EP-5.2", "region", "84", q, days, None, f"{days} jours", 183, comparison="lte",
                              unit_word="jours", tier=date(2020, 12, 31),
                              source="001 l.126 « actualisé semestriellement » — 183 jours = lecture de la règle "
                                     "de l'entrepôt"))
        n, d, text = EP32[i]
        results.append(result("EP-3.2", "region", "84", q, n, d, text, 60, subgroup="SAN_HAD_USLD",
                              tier=date(2022, 1, 1), source="001 annexe 2 l.114"))
        for finess, indicators in ESMS.items():
            for iid, figures in indicators.items():
                if figures[i]:
                    n, d, text = figures[i]
                    target = ESMS_TARGET[iid] if q > Q1 else None
                    results.append(result(iid, "esms", finess, q, n, d, text, target, document="instruction_2024_15",
                                          tier=date(2024, 4, 1) if target else date(2021, 1, 1),
                                          source=f"Instruction 2024 : cible {target} %" if target else BOOTSTRAP))
        for iid, figures in POOLED_REGION.items():
            n_s, n, d, text, att = figures[i]
            target = ESMS_TARGET[iid] if q > Q1 else None
            pooled.append(pooled_row("region", None, iid, q, n_s, n, d, text, att, target))
        declared = {Q1: True, Q2: True, Q3: False, Q4: True}[q]
        results.append({"indicator_id": "1.1", "scope_type": "region", "scope_id": "84", "measure_date": q,
                        "status": "final", "target_met": True, "value_text": "oui", "attainment_label": "oui",
                        "reference_document": NOTE, "evidence_reference": "GED/2024/identitovigilance_v4.pdf",
                        "evidence_date": date(2024, 2, 15)})
        results.append({"indicator_id": "6.6", "scope_type": "region", "scope_id": "84", "measure_date": q,
                        "status": "final", "target_met": declared, "value_text": "oui" if declared else "non",
                        "attainment_label": "oui" if declared else "non", "reference_document": NOTE,
                        "evidence_reference": f"GED/2024/Tableau_de_bord_DAC_T{i + 1}.xlsx" if declared else None,
                        "evidence_date": date(q.year, q.month, 15) if declared else None})
    for end, categories in POOLED_CATEGORIES.items():
        for categorie, cells in categories.items():
            for iid, (n_s, n, d, text, att) in cells.items():
                pooled.append(pooled_row("categorie", categorie, iid, end, n_s, n, d, text, att, ESMS_TARGET[iid]))
    # a retired indicator is never reported
    results.append(result("EP-6.5", "region", "84", Q4, 1, 2, "50,0 %", 60, document="guide_2020"))
    return {"results": results, "pooled": pooled, "structures": STRUCTURES, "quarantine": QUARANTINE}


def pooled_row(grouping, categorie, iid, q, n_structures, n, d, text, att, target) -> dict:
    return {"grouping": grouping, "categorie": categorie, "indicator_id": iid, "scope_type": "esms",
            "reference_document": "instruction_2024_15", "measure_date": q, "n_structures": n_structures,
            "numerator": n, "denominator": d, "value": round(100.0 * n / d, 2), "target": target,
            "comparison": "gte", "target_applies_from": date(2024, 4, 1) if target else date(2021, 1, 1),
            "target_source": f"Instruction 2024 : cible {target} %" if target else BOOTSTRAP, "status": "final",
            "value_text": pct(text), "ratio_text": pct(f"{n} / {d}"),
            "target_text": pct(f"au moins {target} %") if target else "sans cible", "attainment_label": att}


def build_db(path: Path) -> Path:
    return make_analysts_file(path, **fixture_rows())


INFO = {
    "published_at": "2025-02-14T08:00:00+00:00",
    "code_version": "0.1.0+1a2b3c4",
    "region_code": "84",
    "region_name": "Auvergne-Rhône-Alpes",
    "results_sha256": RESULTS_SHA,
    "quality": {
        "files_ingested": 412, "files_refused": 1, "rows_loaded": 123456, "rows_quarantined": 6,
        "values_flagged": 2,
        "warnings": [{"id": "jump_structure", "table": "publish/indicator_results",
                      "means": "one structure moved by more than 25 points", "observed": "DAC 100000002: +50"}],
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
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def pdftotext(path: Path) -> str:
    """The whole text as poppler's pdftotext reads it (reading order), whitespace and no-break spaces flattened."""
    return flat(subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout)


def pages(path: Path) -> list[str]:
    return [flat(p.extract_text()) for p in PdfReader(path).pages]


def section(texts: list[str], start: str, end: str | None) -> str:
    """The text from the page where ``start`` appears up to (excluding) the page where ``end`` appears."""
    i = next(n for n, t in enumerate(texts) if start in t)
    j = next((n for n, t in enumerate(texts) if end and end in t and n > i), len(texts))
    return " ".join(texts[i:j])


# --------------------------------------------------------------------------------------------------------

def test_semesters_are_the_semester_ends_among_measure_dates(db):
    # 31/03 and 30/09 are measure dates but not semester ends.
    assert semesters(db) == [S1, S2]


def test_the_pdf_prints_the_published_texts_and_no_code(reports):
    text = pdftotext(reports[S2])
    for shown in ("6,3 %", "1 / 16", "au moins 60 %", "2e semestre 2024", "1 234 / 2 000", "200 jours",
                  "au plus 183 jours", "Sanitaire : HAD et USLD", "provisoire", "sans donnée",
                  "date invalide", "rejetée", "signalée", "code hors de la liste"):   # (table cells wrap)
        assert shown in text, shown
    for code in ("SAN_HAD_USLD", "rejected", "flagged", "provisional", "no_data", "bad_date", "unknown_code",
                 "note_2021_216", "instruction_2024_15", "same tier", "(no percentage)"):
        assert code not in text, code
    assert not re.search(r"\b(final|gte|lte|dac|esms)\b", text)
    assert "EP-6.5" not in text                                            # retired


def test_file_names_and_title_page(reports):
    assert reports[S1].name == "rapport_semestriel_84_2024-S1.pdf"
    assert reports[S2].name == "rapport_semestriel_84_2024-S2.pdf"
    title = pages(reports[S2])[0]
    assert "Rapport semestriel des indicateurs d'usage" in title
    assert "Région 84 Auvergne-Rhône-Alpes" in title
    assert "2e semestre 2024 (2024-S2), arrêté au 31/12/2024" in title
    assert "Dates de mesure couvertes 30/09/2024 (T3 2024) et 31/12/2024 (T4 2024)" in title
    assert "Date de publication 14 février 2025 à 08:00 UTC" in title
    assert "Version du code 0.1.0+1a2b3c4" in title
    assert RESULTS_SHA in title
    assert "2 DAC, 1 CPTS, 3 ESMS" in title
    assert "1er semestre 2024 (2024-S1), arrêté au 30/06/2024" in pages(reports[S1])[0]
    assert "31/03/2024 (T1 2024) et 30/06/2024 (T2 2024)" in pages(reports[S1])[0]


def test_summary_prints_the_tier_in_force_of_each_row(reports):
    s2 = section(pages(reports[S2]), "1. Synthèse régionale au 31/12/2024", "2. Évolution trimestrielle")
    note = "Note d'information DGOS/PF5/CNAM/2021/216 du 10 décembre 2021"
    # the region row of EP-6.1 at 31/12: its texts, its status, and the document, tier date and quotation
    assert ("EP-6.1 Dossiers de coordination actualisés au moins une fois dans le trimestre (DAC) 1 / 16 6,3 % "
            "au moins 60 % non atteinte provisoire " + note + ", palier du 31/12/2020 " + SAME_TIER) in s2
    assert ("1 234 / 2 000 61,7 % au moins 45 % atteinte définitif " + note + ", palier du 01/07/2024 "
            "Note 2021 : « 45 % à compter du 01/07/2024 »") in s2
    assert "— 200 jours au plus 183 jours non atteinte définitif" in s2          # EP-5.2: no ratio
    assert "EP-3.2 · Sanitaire : HAD et USLD" in s2 and "4 / 5 80,0 % au moins 60 % atteinte" in s2
    # ESMS: publish.pooled_results, grouping region
    assert ("ESMS-DUI-ACTIFS · ensemble des 3 ESMS (Σ num. / Σ dén.) Nombre de DUI actifs rapporté au nombre de "
            "personnes accompagnées 75 / 100 75,0 % au moins 90 % 2 ESMS sur 3 définitif Instruction "
            "DNS/DGCS/CNSA/2024/15 du 1er février 2024, palier du 01/04/2024 Instruction 2024 : cible 90 %") in s2
    assert "89 / 69 129,0 % au moins 70 % 1 ESMS sur 2" in s2

    s1 = section(pages(reports[S1]), "1. Synthèse régionale au 30/06/2024", "2. Évolution trimestrielle")
    assert "8 / 13 61,5 % au moins 60 % atteinte définitif" in s1
    assert "3 / 10 30,0 % au moins 40 % non atteinte définitif " + note + ", palier du 31/12/2020" in s1
    assert "à compter du 01/07/2024" not in s1


def test_pooled_figures_per_category(reports):
    s2 = section(pages(reports[S2]), "par catégorie au 31/12/2024", "2. Évolution trimestrielle")
    assert "Établissements et services médico-sociaux (ESMS) par catégorie au 31/12/2024" in s2   # publish.labels
    assert "Ensemble de la région 75,0 % 75 / 100 2 ESMS sur 3 129,0 % 89 / 69 1 ESMS sur 2" in s2
    assert "EHPAD 68,6 % 48 / 70 1 ESMS sur 2 186,0 % 80 / 43 1 ESMS sur 1" in s2
    assert "Maison d'accueil spécialisée 90,0 % 27 / 30 1 ESMS sur 1 34,6 % 9 / 26 0 ESMS sur 1" in s2
    s1 = section(pages(reports[S1]), "par catégorie au 30/06/2024", "2. Évolution trimestrielle")
    assert "EHPAD 82,9 % 58 / 70 1 ESMS sur 2 134,0 % 63 / 47 1 ESMS sur 2" in s1


def test_per_structure_tables_for_both_quarters(reports):
    texts = pages(reports[S2])
    dac = section(texts, "3.1. Résultats par structure — Dispositifs d'appui à la coordination (DAC)", "3.2.")
    assert "T3 2024 — mesure au 30/09/2024 T4 2024 — mesure au 31/12/2024" in dac
    assert ("100000001 DAC Nord Isère EP-6.1 9 / 12 75,0 % au moins 60 % atteinte définitif 1 / 16 6,3 % "
            "au moins 60 % non atteinte définitif") in dac
    assert ("100000002 DAC Sud Drôme EP-6.1 1 / 3 33,3 % au moins 60 % non atteinte définitif 0 / 0 — "
            "au moins 60 % non évaluable sans donnée") in dac
    cpts = section(texts, "3.2. Résultats par structure — Communautés", "3.3.")
    assert ("200000001 CPTS Centre Loire EP-7.1 12 / 16 75,0 % au moins 45 % atteinte définitif 1 234 / 2 000 "
            "61,7 % au moins 45 % atteinte définitif") in cpts
    esms = section(texts, "3.3. Résultats par structure — Établissements", "4. Indicateurs déclaratifs")
    assert ("300000001 ESMS-DUI-ACTIFS 47 / 50 94,0 % au moins 90 % atteinte définitif 48 / 50 96,0 % au moins "
            "90 % atteinte définitif EHPAD Les Tilleuls ESMS-MSS 70 / 42 166,7 % au moins 70 % atteinte définitif "
            "80 / 43 186,0 % au moins 70 % atteinte définitif") in esms
    # S1: the MAS has no row at 31/03 (« absent »); no ESMS target at 31/03
    esms1 = section(pages(reports[S1]), "3.3. Résultats par structure", "4. Indicateurs déclaratifs")
    assert "300000002 ESMS-DUI-ACTIFS — — — — absent 6 / 30 20,0 % au moins 90 % non atteinte définitif" in esms1
    assert "EHPAD Les Tilleuls ESMS-MSS 50 / 40 125,0 % sans cible sans cible définitif 60 / 41 146,3 %" in esms1


def test_declaratives_and_quality(reports):
    texts = pages(reports[S2])
    decl = section(texts, "4. Indicateurs déclaratifs", None)
    assert ("1.1 Organisation régionale de l'identito-vigilance 31/12/2024 oui définitif "
            "GED/2024/identitovigilance_v4.pdf 15/02/2024") in decl
    assert "6.6 Tableau de bord trimestriel du DAC 30/09/2024 non définitif — —" in decl
    assert "31/03/2024" not in decl                                       # only the semester's quarters
    assert ("Fichiers ingérés 412 Fichiers refusés 1 Lignes chargées 123 456 Lignes en quarantaine (rejetées) 6 "
            "Valeurs signalées (chargées, marquées invalides) 2") in decl
    # the check and its table; its English meaning is for engineers, on the quality page, not in the report
    assert "Contrôle Table contrôlée jump_structure publish/indicator_results" in decl
    assert "moved by more than" not in decl and "DAC 100000002: +50" not in decl
    assert "volume_dui_evenements Livraison partielle connue de mars j.dupont 13 février 2025" in decl
    assert "date invalide (attendu AAAA-MM-JJ) rejetée (ligne non chargée) 3 12 date_ouverture" in decl
    assert "is not a date" not in decl                                    # the English reason is not printed
    assert "code hors de la liste autorisée signalée (valeur chargée, marquée invalide) 2 40" in decl


def test_charts_are_vector_drawings_with_the_target(reports):
    reader = PdfReader(reports[S2])
    texts = [flat(p.extract_text()) for p in reader.pages]
    first = next(i for i, t in enumerate(texts) if "2. Évolution trimestrielle" in t)
    last = next(i for i, t in enumerate(texts) if "3.1. Résultats par structure" in t)
    streams = [reader.pages[i].get_contents().get_data() for i in range(first, last)]
    charts = b"".join(streams)
    # One dashed target segment per stretch of equal targets: EP-3.2 1, EP-5.2 1, EP-6.1 1, EP-7.1 2 (40 % then
    # 45 %), the two pooled ESMS 1 each (no target at 31/03) = 7.
    assert charts.count(b"[3 2] 0 d") == 7
    assert charts.count(b" re f") >= 2 * 6                     # six charts, each with the semester's two quarters
    assert re.search(rb"\d m [\d. ]+ l [\d. ]+ l", charts)                  # value polylines
    chart_text = " ".join(texts[first:last])
    for caption in ("EP-3.2 · Sanitaire : HAD et USLD — ROR", "EP-5.2 — Annuaire", "EP-6.1 — Dossiers",
                    "EP-7.1 — Professionnels", "ESMS-MSS · ensemble des 3 ESMS (Σ num. / Σ dén.)"):
        assert caption in chart_text
    assert "Au 31/12/2024 : 6,3 %, cible au moins 60 %" in chart_text
    assert "Au 31/12/2024 : 200 jours, cible au plus 183 jours" in chart_text
    others = [reader.pages[i].get_contents().get_data() for i in range(len(reader.pages)) if not first <= i < last]
    assert all(b"[3 2] 0 d" not in s for s in others)


def test_page_count_sections_and_footer(reports):
    texts = pages(reports[S2])
    starts = [next(i for i, t in enumerate(texts) if t.startswith(name)) + 1
              for name in ("Rapport semestriel des indicateurs", "1. Synthèse régionale", "2. Évolution",
                           "3.1. Résultats", "3.2. Résultats", "3.3. Résultats", "4. Indicateurs déclaratifs")]
    assert starts == sorted(starts) and starts[0] == 1
    for n, t in enumerate(texts, start=1):
        assert t.endswith(f"Rapport semestriel — région 84 Auvergne-Rhône-Alpes — 2e semestre 2024 (2024-S2) "
                          f"page {n} / {len(texts)}")


def test_same_inputs_same_bytes_and_only_the_date_differs(db, reports, tmp_path):
    again = write_semester_report(db, tmp_path, S2, INFO)
    assert again.read_bytes() == reports[S2].read_bytes()
    later = write_semester_report(db, tmp_path / "later", S2, {**INFO, "published_at": "2025-08-01T07:00:00+02:00"})
    a, b = pages(reports[S2]), pages(later)
    assert a[1:] == b[1:]
    assert a[0].replace("14 février 2025 à 08:00 UTC", "1 août 2025 à 07:00 UTC+0200") == b[0]


def test_digest_changes_with_what_the_report_shows_and_nothing_else(db, reports, tmp_path):
    base = {s: semester_digest(db, s, INFO) for s in (S1, S2)}
    assert base[S1] != base[S2]
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

    # a DAC's text at 31/12: S2 shows it, S1 does not
    d = digests_after("UPDATE publish.indicator_results SET value_text = '6,2 %' WHERE scope_id = '100000001' "
                      "AND indicator_id = 'EP-6.1' AND measure_date = DATE '2024-12-31'")
    assert d[S2] != base[S2] and d[S1] == base[S1]
    # a DAC's status at 31/03: S1 shows it; S2 shows regional history only
    d = digests_after("UPDATE publish.indicator_results SET status_label = 'provisoire' WHERE scope_id = '100000001' "
                      "AND indicator_id = 'EP-6.1' AND measure_date = DATE '2024-03-31'")
    assert d[S1] != base[S1] and d[S2] == base[S2]
    # a regional value at 31/03 is on the charts of both semesters
    d = digests_after("UPDATE publish.indicator_results SET value = 72.0 WHERE scope_type = 'region' "
                      "AND indicator_id = 'EP-6.1' AND measure_date = DATE '2024-03-31'")
    assert d[S1] != base[S1] and d[S2] != base[S2]
    # the quotation of the tier in force at 31/12
    d = digests_after("UPDATE publish.indicator_results SET target_source = 'autre citation' "
                      "WHERE indicator_id = 'EP-7.1' AND measure_date = DATE '2024-12-31'")
    assert d[S2] != base[S2] and d[S1] == base[S1]
    # a pooled figure per category at 31/12, a section title, a quarantine label
    d = digests_after("UPDATE publish.pooled_results SET attainment_label = '2 ESMS sur 2' "
                      "WHERE grouping = 'categorie' AND measure_date = DATE '2024-12-31' AND categorie = 'EHPAD' "
                      "AND indicator_id = 'ESMS-MSS'")
    assert d[S2] != base[S2] and d[S1] == base[S1]
    d = digests_after("UPDATE publish.labels SET label = 'ESMS' WHERE domain = 'scope_title' AND code = 'esms'")
    assert d[S2] != base[S2] and d[S1] != base[S1]
    d = digests_after("UPDATE publish.quarantine_summary SET rule_label = 'date fausse' WHERE rule = 'bad_date'")
    assert d[S2] != base[S2] and d[S1] != base[S1]
    # a declarative's evidence
    d = digests_after("UPDATE publish.indicator_results SET evidence_reference = 'GED/autre.pdf' "
                      "WHERE indicator_id = '1.1' AND measure_date = DATE '2024-12-31'")
    assert d[S2] != base[S2] and d[S1] == base[S1]
    # a quarter after the semester changes neither; nor do columns the report does not read
    d = digests_after("INSERT INTO publish.indicator_results SELECT * REPLACE (DATE '2025-03-31' AS measure_date, "
                      "'1 / 2' AS ratio_text) FROM publish.indicator_results WHERE measure_date = DATE '2024-12-31'; "
                      "INSERT INTO publish.pooled_results SELECT * REPLACE (DATE '2025-03-31' AS measure_date) "
                      "FROM publish.pooled_results WHERE measure_date = DATE '2024-12-31'; "
                      "UPDATE publish.indicator_results SET rank_text = 'changé', gap_text = 'changé', "
                      "status = 'x', target_met = NOT target_met; "
                      "UPDATE publish.pooled_results SET n_met = n_met + 1, status = 'x'")
    assert d == base


def test_missing_info_keys_are_tolerated(db, tmp_path):
    path = write_semester_report(db, tmp_path, S2, {})
    assert path.name == "rapport_semestriel_84_2024-S2.pdf"            # region code read from the regional rows
    texts = pages(path)
    assert "Date de publication non renseignée" in texts[0]
    assert "Version du code non renseignée" in texts[0]
    assert "Résumé de la qualité non fourni" in " ".join(texts)


def test_pagination_keeps_whole_structures():
    # A structure's rows (FINESS on the first, its name below) are never cut across pages.
    blocks = [["a"] * 5, ["b"] * 5, ["c"] * 5, ["d"] * 3]
    assert _pages(blocks, first_capacity=7, capacity=10) == [[blocks[0]], [blocks[1], blocks[2]], [blocks[3]]]
    assert _pages([], 7, 10) == []


def test_a_name_longer_than_its_column_is_cut_not_overflowing():
    from reportlab.pdfbase.pdfmetrics import stringWidth
    lines = _wrap("FOYER D'HEBERGEMENTPOURADULTESHANDICAPES Saint-Martin", 40, "Helvetica", 6)
    assert "".join(lines).replace(" ", "") == "FOYERD'HEBERGEMENTPOURADULTESHANDICAPESSaint-Martin"
    assert all(stringWidth(line, "Helvetica", 6) <= 40 for line in lines)


# --------------------------------------------------------------------------------------------------------
# A region-sized report: 40 DAC, 80 CPTS, 1,500 ESMS (texts derived from the row number, not realistic)

def build_region_db(path: Path) -> Path:
    build_db(path)
    con = duckdb.connect(str(path))
    con.execute("""
        INSERT INTO publish.structures (finess, scope_type, name, libcategetab, scope_label)
        SELECT CAST(400000000 + i AS VARCHAR), t, 'Structure ' || t || ' numéro ' || i || ' de Saint-Martin-sur-Loire',
               'Catégorie ' || (i % 25), upper(t)
        FROM (SELECT 'dac' AS t, range AS i FROM range(40) UNION ALL SELECT 'cpts', 1000 + range FROM range(80)
              UNION ALL SELECT 'esms', 10000 + range FROM range(1500))
    """)
    con.execute("""
        INSERT INTO publish.indicator_results BY NAME
        SELECT r.* EXCLUDE (scope_id, numerator, denominator, value_text, ratio_text), s.finess AS scope_id,
               CAST(s.finess AS BIGINT) % 37 AS numerator, 40 + CAST(s.finess AS BIGINT) % 11 AS denominator,
               (CAST(s.finess AS BIGINT) % 37) || ' / ' || (40 + CAST(s.finess AS BIGINT) % 11) AS ratio_text,
               'v' || s.finess AS value_text
        FROM publish.indicator_results AS r
        JOIN publish.structures AS s ON s.scope_type = r.scope_type AND s.finess LIKE '4%'
        WHERE r.scope_id IN ('100000001', '200000001', '300000001')
    """)
    # five ESMS indicators per establishment, as in a real region
    for copy, of in (("ESMS-DUI-PP", "ESMS-DUI-ACTIFS"), ("ESMS-DUI-AGENDA", "ESMS-DUI-ACTIFS"), ("ESMS-DMP", "ESMS-MSS")):
        con.execute("INSERT INTO publish.indicator_results SELECT * REPLACE (? AS indicator_id) "
                    "FROM publish.indicator_results WHERE indicator_id = ? AND scope_id LIKE '4%'", [copy, of])
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
    cells = [re.findall(r"\((4\d{8})(?: [^)]*)?\) Tj", s) for s in streams]      # DAC: FINESS and name share a row
    for prefix, count in (("4000000", 40), ("4000010", 80), ("40001", 1500)):
        found = [f for page in cells for f in page if f.startswith(prefix)]
        assert len(found) == len(set(found)) == count, prefix      # every structure, once: none cut or lost
    assert all("(FINESS, nom) Tj" in s for s, page in zip(streams, cells) if page)
