"""Produce the CNSA deliverables of a measure date from the working warehouse: one workbook per GALIS
project and one proof of use (PDF) per FINESS géographique, under ``<out>/<measure date>/``."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path


from ...settings import connect_read_only, package_version
from .workbook import CnsaRow, WorkbookRuleError, write_workbook
from .proof import IndicatorFigure, write_proof

@dataclass
class CnsaReport:
    measure_date: date
    workbooks: list[Path] = field(default_factory=list)
    proofs: list[Path] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one sentence per refused workbook


def produce_cnsa(warehouse: Path, out_dir: Path, measure_date: date, galis_ref: str | None = None,
                 progress=None) -> CnsaReport:
    """The CNSA workbook of every GALIS project (or of ``galis_ref``) and the proof of use of each of its
    establishments at ``measure_date``; ``progress(done, total, galis_ref)`` as each project starts."""
    con = connect_read_only(warehouse)
    try:
        cur = con.execute(
            """SELECT galis_ref, siret_porteur, finess_geo, raison_sociale, nb_dmp_alimentes, nb_messages_mss,
                      nb_dui_actifs, nb_personnes_accompagnees, nb_dui_avec_pp, nb_dui_avec_agenda,
                      periode_debut, periode_fin, signataire_nom, signataire_qualite, window_months
               FROM marts.esms_cnsa_figures
               WHERE measure_date = ? AND (? IS NULL OR galis_ref = ?)
               ORDER BY galis_ref, finess_geo""", [measure_date, galis_ref, galis_ref])
        figures = cur.fetchall()
        # the indicators of the proof: those of the catalogue with a CNSA column, as published (French texts)
        catalogue = con.execute(
            """SELECT indicator_id, label FROM publish.indicator_catalogue
               WHERE cnsa_numerator_column IS NOT NULL ORDER BY indicator_id""").fetchall()
        ind = con.execute(
            """SELECT scope_id, indicator_id, numerator, denominator, value_text, target_text
               FROM publish.indicator_results WHERE measure_date = ? AND scope_type = 'esms'""",
            [measure_date]).fetchall()
    finally:
        con.close()
    labels = dict(catalogue)
    by_finess: dict[str, dict[str, IndicatorFigure]] = {}
    for finess, iid, n, d, v, t in ind:
        by_finess.setdefault(finess, {})[iid] = IndicatorFigure(iid, labels.get(iid, iid), n, d, v, t)

    report = CnsaReport(measure_date)
    if galis_ref and not figures:
        report.refused.append(f"GALIS project {galis_ref} has no establishment in force at {measure_date}")
        return report
    projects: dict[str, list[tuple]] = {}
    for f in figures:
        projects.setdefault(f[0], []).append(f)
    target_dir = out_dir / measure_date.isoformat()
    generated_at = datetime.now(timezone.utc).astimezone()
    for done, (ref, lines) in enumerate(projects.items(), 1):
        if progress is not None:
            progress(done - 1, len(projects), ref)
        rows = [CnsaRow(*f[:12]) for f in lines]
        try:
            report.workbooks.append(write_workbook(target_dir, ref, rows))
        except WorkbookRuleError as e:
            report.refused.append(str(e))
            continue
        for f, row in zip(lines, rows):
            figs = [by_finess.get(row.finess_geo, {}).get(i, IndicatorFigure(i, label, None, None, None, None))
                    for i, label in catalogue]
            report.proofs.append(write_proof(target_dir / "preuves", row, measure_date, figs, f[12], f[13],
                                             f[14], generated_at, package_version()))
    return report
