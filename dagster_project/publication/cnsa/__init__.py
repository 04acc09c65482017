"""Produce the CNSA deliverables of a measure date from the working warehouse: one workbook per GALIS
project and one proof of use (PDF) per FINESS géographique, under ``<out>/<measure date>/``."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from ...settings import connect_read_only, package_version
from .. import reuse_published
from .proof import IndicatorFigure, proof_name, write_proof
from .workbook import CnsaRow, WorkbookRuleError, workbook_name, write_workbook


@dataclass
class CnsaReport:
    measure_date: date
    workbooks: list[Path] = field(default_factory=list)
    proofs: list[Path] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one sentence per refused workbook
    # GALIS project -> SHA-256 of everything its deliverables are made from (``inputs_digest``): kept in the
    # publication's manifest, so that the next publication copies the files of a project whose inputs are the same
    inputs: dict[str, str] = field(default_factory=dict)
    reused: int = 0  # projects whose files were copied from the previous publication


def inputs_digest(measure_date: date, lines: list[tuple], figures: list[list[IndicatorFigure]]) -> str:
    """What a project's workbook and proofs are made from: its rows of esms_cnsa_figures, the published indicator
    figures and labels of each establishment, the measure date and the code's version."""
    data = [package_version(), measure_date, lines, [[list(f.__dict__.values()) for f in fs] for fs in figures]]
    return hashlib.sha256(json.dumps(data, default=str, ensure_ascii=False).encode()).hexdigest()


def produce_cnsa(warehouse: Path, out_dir: Path, measure_date: date, galis_ref: str | None = None,
                 progress=None, previous: Path | None = None, previous_inputs: dict | None = None) -> CnsaReport:
    """The CNSA workbook of every GALIS project (or of ``galis_ref``) and the proof of use of each of its
    establishments at ``measure_date``; ``progress(done, total, galis_ref)`` as each project starts. A project whose
    inputs are those of the previous publication (``previous``: its ``cnsa`` folder, ``previous_inputs``: its
    manifest's ``cnsa_inputs``) gets that publication's files (``reuse_published``): the same workbook and the same proofs, with
    the time they were generated (a re-delivered month of another programme changes no ESMS figure)."""
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
        figures = [[by_finess.get(row.finess_geo, {}).get(i, IndicatorFigure(i, label, None, None, None, None))
                    for i, label in catalogue] for row in rows]
        digest = inputs_digest(measure_date, lines, figures)
        files = _files(ref, rows, measure_date) if (previous_inputs or {}).get(ref) == digest else []
        if reuse_published(previous / measure_date.isoformat() if previous is not None else None, target_dir, files):
            report.workbooks.append(target_dir / files[0])
            report.proofs += [target_dir / f for f in files[1:]]
            report.inputs[ref] = digest
            report.reused += 1
            continue
        try:
            report.workbooks.append(write_workbook(target_dir, ref, rows))
        except WorkbookRuleError as e:
            report.refused.append(str(e))
            continue
        report.inputs[ref] = digest
        for f, row, figs in zip(lines, rows, figures):
            report.proofs.append(write_proof(target_dir / "preuves", row, measure_date, figs, f[12], f[13],
                                             f[14], generated_at, package_version()))
    return report


def _files(galis_ref: str, rows: list[CnsaRow], measure_date: date) -> list[Path]:
    """The workbook and the proofs of a project, relative to the measure date's folder (as write_workbook and
    write_proof name them)."""
    first = sorted(rows, key=lambda r: r.finess_geo)[0]
    return [Path(workbook_name(galis_ref, first.periode_fin))] + \
        [Path("preuves") / proof_name(row, measure_date) for row in rows]
