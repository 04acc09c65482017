"""`eparcours audit-sample` for every computed indicator of the catalogue on the shared tiny run: the full list of
the scope's units and a reproducible, stratified sample, as French-Excel CSV and a printable page; the counts are
those of the published figure (the dbt test assert_audit_ties_out_with_results checks every row, this test the
command)."""
from __future__ import annotations

import csv
from datetime import date

import duckdb
import pytest

from dagster_project.audit import AuditError, audit_sample, stratified
from dagster_project.cli import main


def _rows(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                      # French Excel reads it as UTF-8
    return list(csv.DictReader(raw[3:].decode("utf-8").splitlines(), delimiter=";"))


def test_stratified_takes_half_from_the_numerator_and_fills_a_short_stratum():
    num = [{"unit_id": f"n{i}", "in_numerator": True} for i in range(10)]
    rest = [{"unit_id": f"r{i}", "in_numerator": False} for i in range(3)]
    assert [r["unit_id"] for r in stratified(num + rest, 6)] == ["n0", "n1", "n2", "r0", "r1", "r2"]
    assert [r["unit_id"] for r in stratified(num + rest, 10)] == [f"n{i}" for i in range(7)] + ["r0", "r1", "r2"]
    assert len(stratified(rest, 5)) == 3 and len(stratified(num[:1] + rest, 1)) == 1


def test_every_indicator_of_the_catalogue_has_a_sample(tiny_run, tmp_path):
    paths, _, _ = tiny_run
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    computed = [r[0] for r in con.execute(
        "SELECT indicator_id FROM ref.ref_indicator_catalogue WHERE computation = 'computed'").fetchall()]
    d = con.execute("SELECT max(measure_date) FROM marts.indicator_results").fetchone()[0]
    scopes = {i: con.execute(
        """SELECT scope_type, scope_id, numerator, denominator FROM marts.indicator_results
           WHERE indicator_id = ? AND measure_date = ? AND subgroup IS NULL
           ORDER BY scope_type = 'region', denominator DESC NULLS LAST, scope_id LIMIT 1""", [i, d]).fetchone()
              for i in computed}
    con.close()
    assert len(computed) >= 16
    for indicator_id, scope in scopes.items():
        if indicator_id == "EP-3.2":
            continue                                        # per subgroup only: below
        scope_type, scope_id, num, den = scope
        finess = None if scope_type == "region" else scope_id
        s = audit_sample(paths.warehouse, tmp_path, indicator_id, finess, d, n=6, seed=3)
        members = _rows(s.members)
        if indicator_id != "EP-5.2":                        # EP-5.2 counts days: one snapshot row
            assert sum(r["au_numerateur"] == "oui" for r in members) == num, indicator_id
        if indicator_id not in ("EP-5.2", "ESMS-DUI-ACTIFS"):   # ESMS-DUI-ACTIFS: declared file-active years
            assert sum(r["au_denominateur"] == "oui" for r in members) == (den or 0), indicator_id
        assert all(r["motif"] and r["motif"] != r["motif_code"] for r in members), indicator_id
        page = s.page.read_text(encoding="utf-8")
        assert "Échantillon d'audit" in page and "Unité comptée" in page and "Constat de l'auditeur" in page
    s = audit_sample(paths.warehouse, tmp_path, "EP-3.2", None, d, n=6)
    members = _rows(s.members)
    assert members and len({r["perimetre"] for r in members}) == 1           # the region, every subgroup's EGs


def test_the_same_seed_gives_the_same_sample_and_another_seed_another(tiny_run, tmp_path):
    paths, _, _ = tiny_run
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    d, finess = con.execute("""SELECT measure_date, scope_id FROM marts.indicator_results
                               WHERE indicator_id = 'EP-6.1' AND scope_type = 'dac'
                               ORDER BY measure_date DESC, denominator DESC LIMIT 1""").fetchone()
    con.close()
    a = audit_sample(paths.warehouse, tmp_path / "a", "EP-6.1", finess, d, n=8, seed=42)
    b = audit_sample(paths.warehouse, tmp_path / "b", "EP-6.1", finess, d, n=8, seed=42)
    c = audit_sample(paths.warehouse, tmp_path / "c", "EP-6.1", finess, d, n=8, seed=43)
    assert a.sample.read_bytes() == b.sample.read_bytes()
    assert [r["unit_id"] for r in a.rows] != [r["unit_id"] for r in c.rows] or len(a.rows) < 3


def test_unknown_indicator_and_wrong_scope_are_refused_clearly(tiny_run, tmp_path, capsys):
    paths, _, _ = tiny_run
    with pytest.raises(AuditError, match="no audit trail for indicator EP-9.9"):
        audit_sample(paths.warehouse, tmp_path, "EP-9.9", None, date(2024, 12, 31))
    rc = main(["audit-sample", "--indicator", "EP-4.2", "--finess", "000000000", "--measure-date", "2024-12-31",
               "--home", str(paths.home), "--out", str(tmp_path)])
    assert rc == 2
    assert "omit --finess" in capsys.readouterr().err
