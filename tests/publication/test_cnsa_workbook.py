"""The CNSA workbook and the proof of use, checked against the guide's rules (official document 003, docs/official_definitions.md)."""
import hashlib
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from dagster_project.publication.cnsa.workbook import HEADERS, SHEET, CnsaRow, WorkbookRuleError, write_workbook
from dagster_project.publication.cnsa.proof import IndicatorFigure, write_proof

ROWS = [
    CnsaRow("01234567", "00123456789012", "010000024", "EHPAD Les Tilleuls", 41, 1234, 87, 95, 80, 77,
            date(2024, 1, 1), date(2024, 3, 31)),
    CnsaRow("01234567", "00123456789012", "2A0000014", "SSIAD de Corse-du-Sud", 0, 5, 12, 30, 2, 0,
            date(2024, 1, 1), date(2024, 3, 31)),
]


def test_workbook_follows_every_rule_of_the_guide(tmp_path):
    path = write_workbook(tmp_path, "01234567", ROWS)
    assert "01234567" in path.name                                  # GALIS reference in the file name
    wb = load_workbook(path)
    assert wb.sheetnames == [SHEET] == ["Liste des mesures d'usage"]
    ws = wb[SHEET]
    assert [c.value for c in ws[1]] == HEADERS                       # the twelve labels, in order A–L
    assert [c.column_letter for c in ws[1]] == list("ABCDEFGHIJKL")
    assert not ws.merged_cells.ranges                                # no merged cells
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == 2
    by_finess = {r[2].value: r for r in rows}
    assert set(by_finess) == {"010000024", "2A0000014"}              # one row per FINESS géo, unique
    r = by_finess["010000024"]
    for cell in r[:3]:                                               # A–C stored as text: leading zeros kept
        assert cell.data_type == "s" and cell.number_format == "@"
    assert (r[0].value, r[1].value) == ("01234567", "00123456789012")
    assert [c.value for c in r[4:10]] == [41, 1234, 87, 95, 80, 77]  # absolute values
    assert all(isinstance(c.value, int) for c in r[4:10])
    for cell in r[10:12]:                                            # dates JJ/MM/AAAA
        assert cell.number_format == "DD/MM/YYYY" and cell.is_date
    assert (r[10].value.date(), r[11].value.date()) == (date(2024, 1, 1), date(2024, 3, 31))


@pytest.mark.parametrize("bad_rows, rule", [
    ([ROWS[0], replace(ROWS[1], finess_geo="010000024")], "FINESS géographique obligatoirement unique"),
    ([replace(ROWS[0], nb_dui_actifs=-1)], "valeur absolue"),
    ([replace(ROWS[0], nb_personnes_accompagnees=None)], "remplissage obligatoire"),
    ([replace(ROWS[0], nb_dmp_alimentes=2.5)], "valeur absolue"),
    ([replace(ROWS[0], siret_porteur="123")], "SIRET porteur, numérique 14 caractères"),
    ([ROWS[0], replace(ROWS[1], siret_porteur="99999999999999")], "SIRET porteur identique"),
    ([replace(ROWS[0], finess_geo="")], "ne peut être vide"),
    ([replace(ROWS[0], periode_debut=date(2024, 4, 1))], "premier jour avant le dernier jour"),
    ([], "une ligne par FINESS"),
])
def test_a_workbook_breaking_a_rule_is_refused_and_not_written(tmp_path, bad_rows, rule):
    with pytest.raises(WorkbookRuleError, match=rule):
        write_workbook(tmp_path, "01234567", bad_rows)
    assert list(tmp_path.iterdir()) == []


def test_galis_reference_must_have_eight_digits(tmp_path):
    with pytest.raises(WorkbookRuleError, match="référence GALIS"):
        write_workbook(tmp_path, "1234", [replace(r, galis_ref="1234") for r in ROWS])


FIGURES = [IndicatorFigure("ESMS-DUI-ACTIFS", "DUI actifs", 87, 95, "91,6\u00a0%", "au moins 90\u00a0%"),
           IndicatorFigure("ESMS-DUI-PP", "DUI avec projet personnalisé", 80, 87, "92,0\u00a0%", "au moins 90\u00a0%"),
           IndicatorFigure("ESMS-DUI-AGENDA", "DUI avec agenda", 77, 87, "88,5\u00a0%", "au moins 90\u00a0%"),
           IndicatorFigure("ESMS-MSS", "Messages MSSanté", 1234, 80, "1\u00a0542,5\u00a0%", "au moins 70\u00a0%"),
           IndicatorFigure("ESMS-DMP", "DMP alimentés", 41, 80, "51,3\u00a0%", "au moins 70\u00a0%")]


def proof_text(tmp_path):
    path = write_proof(tmp_path, ROWS[0], date(2024, 3, 31), FIGURES, "Marie Durand", "Directrice générale", 3,
                       datetime(2024, 4, 20, 10, 0, tzinfo=timezone.utc), "test")
    reader = PdfReader(path)
    if reader.is_encrypted:
        reader.decrypt("")
    return path, reader, "\n".join(p.extract_text() for p in reader.pages)


def test_proof_of_use_shows_every_figure_of_the_workbook_row(tmp_path):
    _, _, text = proof_text(tmp_path)
    flat = " ".join(text.split())
    assert "010000024" in flat and "EHPAD Les Tilleuls" in flat
    assert "31/03/2024" in flat and "du 01/01/2024 au 31/03/2024" in flat       # measure date, period
    for v in ("41", "1 234", "87", "95", "80", "77"):                          # the six absolute numbers
        assert v in flat
    for f in FIGURES:                                       # each indicator, its label and its published texts
        assert f.indicator_id in flat and f.label in flat
        assert " ".join(f.value_text.split()) in flat and " ".join(f.target_text.split()) in flat
    assert "Marie Durand" in flat and "Directrice générale" in flat and "Signature" in flat
    assert "20/04/2024" in flat                                                # generation time
    digest = hashlib.sha256(ROWS[0].canonical().encode()).hexdigest()
    assert digest in flat and ROWS[0].canonical() in flat                      # auditor can recompute


def test_proof_of_use_cannot_be_modified(tmp_path):
    path, reader, _ = proof_text(tmp_path)
    assert reader.is_encrypted                       # permissions only hold in an encrypted PDF
    assert reader.get_fields() is None               # no form field to fill in
    perms = reader.user_access_permissions
    from pypdf.constants import UserAccessPermissions as P
    assert not perms & P.MODIFY and not perms & P.ADD_OR_MODIFY and not perms & P.FILL_FORM_FIELDS
    assert perms & P.PRINT
    assert not perms & P.ASSEMBLE_DOC and perms & P.EXTRACT_TEXT_AND_GRAPHICS
    assert reader.decrypt("") and reader.pages[0].extract_text()  # anyone opens it without a password


# -- a publication copies the deliverables of a project whose inputs did not change ---------------------------

def _cnsa_warehouse(path, dmp_of_the_ehpad=41):
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA publish")
    con.execute("""CREATE TABLE marts.esms_cnsa_figures (measure_date DATE, galis_ref VARCHAR, siret_porteur VARCHAR,
                   finess_geo VARCHAR, raison_sociale VARCHAR, nb_dmp_alimentes BIGINT, nb_messages_mss BIGINT,
                   nb_dui_actifs BIGINT, nb_personnes_accompagnees BIGINT, nb_dui_avec_pp BIGINT,
                   nb_dui_avec_agenda BIGINT, periode_debut DATE, periode_fin DATE, signataire_nom VARCHAR,
                   signataire_qualite VARCHAR, window_months INTEGER)""")
    for galis, row in (("01234567", ROWS[0]), ("07654321", ROWS[1])):
        cells = [row.siret_porteur, row.finess_geo, row.raison_sociale,
                 dmp_of_the_ehpad if galis == "01234567" else row.nb_dmp_alimentes, row.nb_messages_mss,
                 row.nb_dui_actifs, row.nb_personnes_accompagnees, row.nb_dui_avec_pp, row.nb_dui_avec_agenda,
                 row.periode_debut, row.periode_fin]
        con.execute("INSERT INTO marts.esms_cnsa_figures VALUES (?, ?, " + ", ".join("?" * 11) + ", 'M. X', 'Dir', 3)",
                    [date(2024, 3, 31), galis, *cells])
    con.execute("CREATE TABLE publish.indicator_catalogue AS SELECT 'ESMS-DMP' AS indicator_id, "
                "'DMP alimentés' AS label, 'nb_dmp_alimentes' AS cnsa_numerator_column")
    con.execute("""CREATE TABLE publish.indicator_results AS SELECT DATE '2024-03-31' AS measure_date,
                   'esms' AS scope_type, '010000024' AS scope_id, 'ESMS-DMP' AS indicator_id, 41 AS numerator,
                   80 AS denominator, '51,3 %' AS value_text, 'au moins 70 %' AS target_text""")
    con.close()
    return path


def test_a_publication_copies_the_deliverables_of_a_project_whose_inputs_are_unchanged(tmp_path):
    from dagster_project.publication.cnsa import produce_cnsa

    d = date(2024, 3, 31)
    first = produce_cnsa(_cnsa_warehouse(tmp_path / "w1.duckdb"), tmp_path / "p1", d)
    assert first.reused == 0 and len(first.inputs) == 2 and len(first.proofs) == 2
    # the EHPAD's DMP count changed (project 01234567); the SSIAD's project did not
    second = produce_cnsa(_cnsa_warehouse(tmp_path / "w2.duckdb", dmp_of_the_ehpad=42), tmp_path / "p2", d,
                          previous=tmp_path / "p1", previous_inputs=first.inputs)
    assert second.reused == 1 and sorted(second.inputs) == ["01234567", "07654321"]
    assert second.inputs["07654321"] == first.inputs["07654321"] != second.inputs["01234567"]
    same = [p for p in second.workbooks + second.proofs
            if p.read_bytes() == (tmp_path / "p1" / p.relative_to(tmp_path / "p2")).read_bytes()]
    assert sorted(p.name for p in same) == ["CNSA_mesures_usage_GALIS_07654321_2024-03-31.xlsx",
                                            "preuve_usage_2A0000014_2024-03-31.pdf"]
    # without the previous files (a publication pruned), everything is made again
    third = produce_cnsa(_cnsa_warehouse(tmp_path / "w3.duckdb", 42), tmp_path / "p3", d,
                         previous=tmp_path / "gone", previous_inputs=second.inputs)
    assert third.reused == 0 and len(third.proofs) == 2
