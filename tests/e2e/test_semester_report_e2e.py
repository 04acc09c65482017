"""The semestrial report on the real publication of the tiny synthetic region (the shared `tiny_run`): one PDF
per semester end, and the regional figures printed in its summary are those of publish.indicator_results."""
import hashlib
import json
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest
from pypdf import PdfReader

from dagster_project.publication.semester_report import semesters, write_semester_report
from dagster_project.settings import duckdb_config

pytestmark = pytest.mark.slow


def french(value: Decimal, digits: int) -> str:
    q = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{q:,.{digits}f}".replace(",", " ").replace(".", ",")


def expected_figures(num, den, value, target, met, unit, comparison) -> str:
    """What the summary row must read, written independently of the module (half-up, one decimal)."""
    if unit == "jours":
        shown = f"{french(Decimal(repr(value)), 0)} j"
    else:
        shown = f"{french(Decimal(100 * num) / Decimal(den), 1)} %"
    dens = "—" if den is None else f"{den:,}".replace(",", " ")
    text = f"{num:,}".replace(",", " ") + f" {dens} {shown}"
    if target is None:
        return text + " — sans cible"
    t = french(Decimal(repr(target)), 0 if float(target).is_integer() else 1)
    word = {"gte": "au moins", "lte": "au plus"}[comparison]
    return text + f" {word} {t} {'j' if unit == 'jours' else '%'} {'atteinte' if met else 'non atteinte'}"


def test_one_report_per_semester_with_the_regional_figures_of_the_db(tiny_run, tmp_path):
    paths, _, _ = tiny_run
    db = paths.published / "warehouse.duckdb"
    manifest = json.loads((paths.published / "manifest.json").read_text(encoding="utf-8"))
    info = {"published_at": manifest["published_at"], "code_version": manifest["code_version"],
            "results_sha256": hashlib.sha256((paths.published / "indicator_results.csv").read_bytes()).hexdigest()}

    # same configuration as the module: DuckDB refuses two connections to one file with different settings
    con = duckdb.connect(str(db), read_only=True, config=duckdb_config())
    measure_dates = [r[0] for r in con.execute(
        "SELECT DISTINCT measure_date FROM publish.indicator_results ORDER BY 1").fetchall()]
    region = con.execute("SELECT DISTINCT scope_id FROM publish.indicator_results WHERE scope_type = 'region'"
                         ).fetchall()
    assert len(region) == 1
    region = region[0][0]
    ends = [d for d in measure_dates if (d.month, d.day) in ((6, 30), (12, 31))]
    assert ends and semesters(db) == ends

    for end in ends:
        path = write_semester_report(db, tmp_path, end, info)
        assert path.name == f"rapport_semestriel_{region}_{end.year}-S{1 if end.month == 6 else 2}.pdf"
        texts = [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(path).pages]
        assert all(t.strip().endswith(f"page {n} / {len(texts)}") for n, t in enumerate(texts, start=1))
        assert manifest["code_version"] in texts[0] and info["results_sha256"] in texts[0]
        charts_at = next(i for i, t in enumerate(texts) if "2. Évolution trimestrielle" in t)
        summary = " ".join(texts[1:charts_at])
        rows = con.execute("""
            SELECT r.indicator_id, r.subgroup, r.numerator, r.denominator, r.value, r.target, r.target_met, c.unit,
                   (SELECT any_value(t.comparison) FROM publish.indicator_targets t
                    WHERE t.indicator_id = r.indicator_id) AS comparison
            FROM publish.indicator_results r JOIN publish.indicator_catalogue c USING (indicator_id)
            WHERE r.scope_type = 'region' AND r.measure_date = ? AND c.computation = 'computed'
              AND r.value IS NOT NULL""", [end]).fetchall()
        assert rows
        for iid, subgroup, num, den, value, target, met, unit, comparison in rows:
            head = iid + (f" · {subgroup}" if subgroup else "")
            at = summary.find(head + " ")
            assert at >= 0, (end, head)
            figures = expected_figures(num, den, value, target, met, unit, comparison)
            assert figures in summary[at:at + 400], (end, head, figures)
        structures_at = next(i for i, t in enumerate(texts) if "3.1. Résultats par structure" in t)
        structures = " ".join(texts[structures_at:])
        q1 = date(end.year, 3, 31) if end.month == 6 else date(end.year, 9, 30)
        for (finess,) in con.execute("SELECT DISTINCT scope_id FROM publish.indicator_results "
                                     "WHERE scope_type <> 'region' AND measure_date IN (?, ?)", [q1, end]).fetchall():
            assert finess in structures, (end, finess)
    con.close()
