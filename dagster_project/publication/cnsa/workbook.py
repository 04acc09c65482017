"""The CNSA usage workbook ("fichier de collecte des données d'usage"), one per GALIS project.

The CNSA guide (official document 003, docs/official_definitions.md, « Le fichier de collecte des données d'usage ») prescribes: a sheet named
``Liste des mesures d'usage``; twelve columns A–L with fixed French labels in that order; columns A–C as
text (leading zeros); dates JJ/MM/AAAA; absolute values; no merged cells; one row per FINESS géographique
(unique); the GALIS reference in the file name. ``check_rows`` refuses rows that would break one of those
rules, and ``write_workbook`` re-reads what it wrote and refuses it if the file itself breaks one.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SHEET = "Liste des mesures d'usage"
HEADERS = [
    "Référence de la demande GALIS",
    "SIRET Porteur",
    "FINESS Géographique",
    "Raison sociale du FINESS géographique",
    "Nombre de DMP alimentés",
    "Nombre de messages envoyés via la MS Santé",
    "Nombre de DUI actifs",
    "Nombre de personnes accompagnées par la structure",
    "Nombre de DUI avec projet personnalisé",
    "Nombre de DUI avec au moins événement d'agenda",
    "Premier jour de la période de recueil",
    "Dernier jour de la période de recueil",
]
TEXT_COLUMNS = 3  # A, B, C
COUNT_FIELDS = ["nb_dmp_alimentes", "nb_messages_mss", "nb_dui_actifs", "nb_personnes_accompagnees",
                "nb_dui_avec_pp", "nb_dui_avec_agenda"]
DATE_FORMAT = "DD/MM/YYYY"  # shown by Excel as JJ/MM/AAAA


class WorkbookRuleError(ValueError):
    """A rule of the CNSA guide is broken: the workbook is not written. The message names the rule."""


@dataclass(frozen=True)
class CnsaRow:
    galis_ref: str
    siret_porteur: str
    finess_geo: str
    raison_sociale: str | None
    nb_dmp_alimentes: int
    nb_messages_mss: int
    nb_dui_actifs: int
    nb_personnes_accompagnees: int
    nb_dui_avec_pp: int
    nb_dui_avec_agenda: int
    periode_debut: date
    periode_fin: date

    def cells(self) -> list:
        return [self.galis_ref, self.siret_porteur, self.finess_geo, self.raison_sociale or "",
                *(getattr(self, f) for f in COUNT_FIELDS), self.periode_debut, self.periode_fin]

    def canonical(self) -> str:
        """The row as the text an auditor rebuilds from the workbook: A–L joined by ';', dates JJ/MM/AAAA."""
        vals = self.cells()
        vals[10] = self.periode_debut.strftime("%d/%m/%Y")
        vals[11] = self.periode_fin.strftime("%d/%m/%Y")
        return ";".join(str(v) for v in vals)

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()


def check_rows(galis_ref: str, rows: list[CnsaRow]) -> None:
    """Raise ``WorkbookRuleError`` naming the first broken rule of the guide."""
    def fail(rule: str, detail: str):
        raise WorkbookRuleError(f"workbook of GALIS project {galis_ref} refused: rule « {rule} » broken: {detail}")

    if not re.fullmatch(r"\d{8}", galis_ref or ""):
        fail("A: référence GALIS, numérique 8 caractères", repr(galis_ref))
    if not rows:
        fail("une ligne par FINESS géographique du projet", "no establishment to declare")
    seen: dict[str, int] = {}
    for r in rows:
        if r.galis_ref != galis_ref:
            fail("A: même référence GALIS que le titre du document", f"{r.finess_geo} carries {r.galis_ref}")
        if not re.fullmatch(r"\d{14}", r.siret_porteur or ""):
            fail("B: SIRET porteur, numérique 14 caractères", f"{r.finess_geo}: {r.siret_porteur!r}")
        if r.siret_porteur != rows[0].siret_porteur:
            fail("B: SIRET porteur identique sur toutes les lignes", f"{rows[0].siret_porteur} and {r.siret_porteur}")
        if not re.fullmatch(r"(\d{2}|2[AB])\d{7}", r.finess_geo or ""):
            fail("C: FINESS géographique, 9 caractères, ne peut être vide", repr(r.finess_geo))
        seen[r.finess_geo] = seen.get(r.finess_geo, 0) + 1
        if seen[r.finess_geo] > 1:
            fail("C: FINESS géographique obligatoirement unique", f"{r.finess_geo} appears twice")
        for f in COUNT_FIELDS:
            v = getattr(r, f)
            if v is None or isinstance(v, bool) or not isinstance(v, int) or v < 0:
                fail("E–J: nombres en valeur absolue, remplissage obligatoire", f"{r.finess_geo}: {f} = {v!r}")
        if not isinstance(r.periode_debut, date) or not isinstance(r.periode_fin, date):
            fail("K–L: dates de la période de recueil obligatoires", r.finess_geo)
        if r.periode_debut > r.periode_fin:
            fail("K–L: premier jour avant le dernier jour", f"{r.periode_debut} > {r.periode_fin}")


def workbook_name(galis_ref: str, periode_fin: date) -> str:
    return f"CNSA_mesures_usage_GALIS_{galis_ref}_{periode_fin.isoformat()}.xlsx"


def write_workbook(out_dir: Path, galis_ref: str, rows: list[CnsaRow]) -> Path:
    from openpyxl import Workbook

    rows = sorted(rows, key=lambda r: r.finess_geo)
    check_rows(galis_ref, rows)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEADERS)
    for r in rows:
        ws.append(r.cells())
    for row in ws.iter_rows(min_row=2):
        for cell in row[:TEXT_COLUMNS]:
            cell.number_format = "@"  # text: leading zeros survive
            cell.value = str(cell.value)
        for cell in row[10:12]:
            cell.number_format = DATE_FORMAT
    for col in range(1, TEXT_COLUMNS + 1):  # empty cells typed later in Excel stay text too
        ws.cell(row=1, column=col).number_format = "@"
    for letter, width in zip("ABCDEFGHIJKL", (14, 17, 14, 40, 12, 14, 12, 16, 14, 16, 14, 14)):
        ws.column_dimensions[letter].width = width
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / workbook_name(galis_ref, rows[0].periode_fin)
    tmp = out.with_name(".tmp-" + out.name)  # same folder (atomic rename), still an .xlsx for the re-check
    wb.save(tmp)
    try:
        verify_workbook(tmp, galis_ref)
    except WorkbookRuleError:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(out)
    return out


def verify_workbook(path: Path, galis_ref: str) -> list[list]:
    """Re-read a workbook and check every rule of the guide on the file itself; return its data rows."""
    from openpyxl import load_workbook

    def fail(rule: str, detail: str):
        raise WorkbookRuleError(f"{path.name}: rule « {rule} » broken: {detail}")

    if galis_ref not in path.name.removeprefix(".tmp-"):
        fail("la référence GALIS doit apparaître dans le titre du document", path.name)
    wb = load_workbook(path)
    if SHEET not in wb.sheetnames:
        fail("NE PAS MODIFIER LE NOM DE L'ONGLET", f"sheets are {wb.sheetnames}")
    ws = wb[SHEET]
    header = [c.value for c in ws[1]]
    if header != HEADERS:
        fail("NE PAS MODIFIER LE NOM / L'ORDRE DES COLONNES", f"header is {header}")
    if ws.merged_cells.ranges:
        fail("NE PAS FUSIONNER DE CELLULES", str(ws.merged_cells.ranges))
    data = []
    finess = set()
    for row in ws.iter_rows(min_row=2):
        for cell in row[:TEXT_COLUMNS]:
            if cell.data_type != "s" or cell.number_format != "@":
                fail("COLONNES A, B ET C AU FORMAT TEXTE", f"{cell.coordinate} = {cell.value!r}")
        for cell in row[4:10]:
            if not isinstance(cell.value, int) or cell.value < 0:
                fail("valeurs absolues", f"{cell.coordinate} = {cell.value!r}")
        for cell in row[10:12]:
            if cell.number_format != DATE_FORMAT or cell.value is None:
                fail("dates JJ/MM/AAAA", f"{cell.coordinate} format {cell.number_format!r}")
        if row[2].value in finess:
            fail("FINESS géographique obligatoirement unique", row[2].value)
        finess.add(row[2].value)
        data.append([c.value for c in row])
    return data
