"""The proof of use ("preuve d'usage"): one PDF per FINESS géographique and measure date.

What the CNSA guide (official document 003, docs/official_definitions.md, « Quelles sont les exigences de forme … ») requires, and where it
is on the page: a report that cannot be modified (no form field; PDF permissions forbid modification);
the establishment identified by its FINESS géographique (and raison sociale); the absolute numbers, not
only rates (each indicator's numerator and denominator, and the six figures of the workbook row); the
measure date and the collection period; the signature of the person who commits the porteur (name, role
and a place to sign); plus the generation time and the SHA-256 of the workbook row, so an auditor can
check the figures against the workbook (``CnsaRow.canonical()`` is printed in full under the hash).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .. import fr
from .workbook import CnsaRow

@dataclass(frozen=True)
class IndicatorFigure:
    """One indicator of the establishment as published (publish.indicator_results): its label and its French
    texts are printed as they are, so the proof says what the dashboard and the CSV say."""
    indicator_id: str
    label: str
    numerator: int | None
    denominator: int | None
    value_text: str | None
    target_text: str | None


def proof_name(row: CnsaRow, measure_date: date) -> str:
    return f"preuve_usage_{row.finess_geo}_{measure_date.isoformat()}.pdf"


def write_proof(out_dir: Path, row: CnsaRow, measure_date: date, figures: list[IndicatorFigure],
                signataire_nom: str | None, signataire_qualite: str | None, window_months: int,
                generated_at: datetime, version: str) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / proof_name(row, measure_date)
    tmp = out.with_name(".tmp-" + out.name)
    c = canvas.Canvas(str(tmp), pagesize=A4, invariant=0)
    c.setTitle(f"Preuve d'usage ESMS Numérique {row.finess_geo} {measure_date.isoformat()}")
    c.setAuthor("eparcours-warehouse")
    c.setSubject(f"SHA-256 {row.sha256()}")
    width, height = A4
    x0, y = 20 * mm, height - 22 * mm

    def line(text, size=10, bold=False, dy=5.5 * mm, x=None):
        nonlocal y
        c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        c.drawString(x if x is not None else x0, y, text)
        y -= dy

    line("Preuve d'usage — programme ESMS Numérique", 16, True, 9 * mm)
    line("Établissement", 12, True)
    line(f"FINESS géographique : {row.finess_geo}")
    line(f"Raison sociale : {row.raison_sociale or '—'}")
    line(f"Projet GALIS : {row.galis_ref}    SIRET du porteur : {row.siret_porteur}", dy=8 * mm)
    line("Mesure", 12, True)
    line(f"Date de la mesure : {fr.day(measure_date)}")
    line(f"Période de recueil : du {fr.day(row.periode_debut)} au {fr.day(row.periode_fin)}")
    line(f"Fenêtre MSSanté / DMP : {window_months} mois se terminant à la date de mesure", dy=8 * mm)

    line("Indicateurs d'usage (valeurs absolues et taux)", 12, True, 7 * mm)
    cols = [x0, x0 + 84 * mm, x0 + 106 * mm, x0 + 126 * mm, x0 + 154 * mm]
    c.setFont("Helvetica-Bold", 9)
    c.drawString(cols[0], y, "Indicateur")
    for xx, h in zip(cols[1:], ["Numérateur", "Dénominateur", "Taux", "Cible"]):
        c.drawRightString(xx + 16 * mm, y, h)
    y -= 2 * mm
    c.setStrokeColor(colors.grey)
    c.line(x0, y, width - 20 * mm, y)
    y -= 5 * mm
    c.setFont("Helvetica", 9)
    for f in figures:
        vals = [f.indicator_id, fr.number(f.numerator), fr.number(f.denominator), f.value_text or fr.DASH,
                f.target_text or fr.DASH]
        c.setFont("Helvetica-Bold", 9)
        c.drawString(cols[0], y, vals[0])
        c.setFont("Helvetica", 9)
        for xx, v in zip(cols[1:], vals[1:]):
            c.drawRightString(xx + 16 * mm, y, v)
        c.setFont("Helvetica", 7.5)
        c.drawString(cols[0], y - 3.5 * mm, f.label)
        y -= 8.5 * mm
    y -= 4 * mm

    line("Chiffres déclarés dans le fichier de collecte CNSA (colonnes E à J)", 12, True, 7 * mm)
    for label, v in [("Nombre de DMP alimentés", row.nb_dmp_alimentes),
                     ("Nombre de messages envoyés via la MS Santé", row.nb_messages_mss),
                     ("Nombre de DUI actifs", row.nb_dui_actifs),
                     ("Nombre de personnes accompagnées par la structure", row.nb_personnes_accompagnees),
                     ("Nombre de DUI avec projet personnalisé", row.nb_dui_avec_pp),
                     ("Nombre de DUI avec au moins événement d'agenda", row.nb_dui_avec_agenda)]:
        c.setFont("Helvetica", 10)
        c.drawString(x0, y, label)
        c.drawRightString(width - 20 * mm, y, fr.number(v))
        y -= 5.5 * mm
    y -= 3 * mm

    line("Contrôle", 12, True)
    line(f"SHA-256 de la ligne du fichier CNSA : {row.sha256()}", 8)
    line("Ligne contrôlée (colonnes A à L séparées par « ; ») :", 8)
    canonical = row.canonical()
    for i in range(0, len(canonical), 110):
        line(canonical[i:i + 110], 7, dy=4 * mm)
    y -= 4 * mm

    line("Signature du représentant habilité du porteur", 12, True)
    line(f"Nom : {signataire_nom or '________________________'}")
    line(f"Qualité : {signataire_qualite or '________________________'}")
    line("Fait à ______________________, le ____ / ____ / ________", dy=4 * mm)
    c.rect(x0, y - 30 * mm, 80 * mm, 28 * mm)
    c.setFont("Helvetica", 8)
    c.drawString(x0 + 2 * mm, y - 6 * mm, "Signature :")
    c.setFont("Helvetica", 7)
    c.drawString(x0, 12 * mm, f"Généré le {generated_at.strftime('%d/%m/%Y à %H:%M:%S %Z').strip()} par "
                              f"eparcours-warehouse {version}. Document non modifiable.")
    c.showPage()
    c.save()
    _lock(tmp, out)
    return out


def _lock(src: Path, out: Path) -> None:
    """Encrypt with permissions: print and copy text allowed; modify, annotate, fill forms, assemble refused.

    The user password is empty (anyone opens and prints it); the owner password is random and thrown away,
    so no PDF editor can lift the permissions.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.constants import UserAccessPermissions as P

    writer = PdfWriter(clone_from=PdfReader(src))
    allowed = P.PRINT | P.EXTRACT | P.EXTRACT_TEXT_AND_GRAPHICS | P.PRINT_TO_REPRESENTATION
    writer.encrypt(user_password="", owner_password=secrets.token_hex(16), permissions_flag=allowed,
                   algorithm="RC4-128")
    with open(src, "wb") as f:
        writer.write(f)
    src.replace(out)
