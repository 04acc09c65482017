"""The semestrial report on the real publication of the tiny synthetic region (the shared `tiny_run`): one PDF
per semester end, and the regional figures printed in its summary are the texts of publish.indicator_results and
publish.pooled_results, as the dbt models wrote them. Also checks that the small analysts' file of the unit tests
(tests/publication/publish_fixture.py) has the columns of the real one."""
import hashlib
import json
import re

import pytest
from pypdf import PdfReader

from dagster_project.publication.report import semesters, write_semester_report
from dagster_project.settings import connect_read_only

from ..publication.publish_fixture import COLUMNS

pytestmark = pytest.mark.slow


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def test_one_report_per_semester_with_the_published_texts(tiny_run, tmp_path):
    paths, _, _ = tiny_run
    db = paths.published / "warehouse.duckdb"
    manifest = json.loads((paths.published / "manifest.json").read_text(encoding="utf-8"))
    info = {"published_at": manifest["published_at"], "code_version": manifest["code_version"],
            "results_sha256": hashlib.sha256((paths.published / "indicator_results.csv").read_bytes()).hexdigest()}

    con = connect_read_only(db)      # the module's settings: DuckDB refuses two configurations for one file
    for table, columns in COLUMNS.items():
        real = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
                           "'publish' AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()
        assert tuple(real) == columns, f"tests/publication/publish_fixture.py: publish.{table} has changed"
    region = con.execute("SELECT DISTINCT scope_id FROM publish.indicator_results WHERE scope_type = 'region'"
                         ).fetchall()
    assert len(region) == 1
    region = region[0][0]
    ends = [r[0] for r in con.execute("SELECT DISTINCT measure_date FROM publish.indicator_results "
                                      "WHERE semester_label IS NOT NULL ORDER BY 1").fetchall()]
    assert ends and semesters(db) == ends

    for end in ends:
        path = write_semester_report(db, tmp_path, end, info)
        assert path.name == f"rapport_semestriel_{region}_{end.year}-S{1 if end.month == 6 else 2}.pdf"
        texts = [flat(p.extract_text()) for p in PdfReader(path).pages]
        assert all(t.endswith(f"page {n} / {len(texts)}") for n, t in enumerate(texts, start=1))
        assert manifest["code_version"] in texts[0] and info["results_sha256"] in texts[0]
        charts_at = next(i for i, t in enumerate(texts) if "2. Évolution trimestrielle" in t)
        summary = " ".join(texts[1:charts_at])
        rows = con.execute("""
            SELECT r.indicator_id, r.subgroup_label, r.ratio_text, r.value_text, r.target_text, r.attainment_label,
                   r.status_label, r.reference_document_label, r.target_source
            FROM publish.indicator_results r JOIN publish.indicator_catalogue c USING (indicator_id)
            WHERE r.scope_type = 'region' AND r.measure_date = ? AND c.computation = 'computed'""", [end]).fetchall()
        assert rows
        for iid, subgroup, ratio, value, target, attainment, status, document, source in rows:
            head = iid + (f" · {subgroup}" if subgroup else "")
            at = summary.find(head + " ")
            assert at >= 0, (end, head)
            figures = flat(" ".join(x or "—" for x in (ratio, value, target, attainment, status)))
            assert figures in summary[at:at + 400], (end, head, figures)
            assert flat(document) in summary[at:at + 800] and flat(source or "") in summary[at:at + 800]
        pooled = con.execute("""
            SELECT p.indicator_id, p.n_structures, l.label, p.ratio_text, p.value_text, p.target_text,
                   p.attainment_label, p.status_label
            FROM publish.pooled_results p JOIN publish.labels l ON l.domain = 'scope_type' AND l.code = p.scope_type
            WHERE p.grouping = 'region' AND p.measure_date = ?""", [end]).fetchall()
        for iid, n, scope, ratio, value, target, attainment, status in pooled:
            at = summary.find(f"{iid} · ensemble des {n} {scope}")
            assert at >= 0, (end, iid)
            figures = flat(" ".join(x or "—" for x in (ratio, value, target, attainment, status)))
            assert figures in summary[at:at + 400], (end, iid, figures)
        structures_at = next(i for i, t in enumerate(texts) if "3.1. Résultats par structure" in t)
        structures = " ".join(texts[structures_at:])
        q1 = end.replace(month=3, day=31) if end.month == 6 else end.replace(month=9, day=30)
        for (finess,) in con.execute("SELECT DISTINCT scope_id FROM publish.indicator_results "
                                     "WHERE scope_type <> 'region' AND measure_date IN (?, ?)", [q1, end]).fetchall():
            assert finess in structures, (end, finess)
    con.close()
