"""Compare two publications (e.g. before and after a change of the code, on the same landing folder): every table of
the analysts' file and the CSV / Parquet of the results on their common columns, open/ byte by byte, the CNSA
workbooks cell by cell, and how many files of dashboard/, rapports/, cnsa/ and quality/ are byte-identical.

Usage: .venv/bin/python scripts/compare_publications.py BEFORE/published AFTER/published"""
import csv, hashlib, io, sys
from pathlib import Path
import duckdb

a, b = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
ca, cb = duckdb.connect(str(a / "warehouse.duckdb"), read_only=True), duckdb.connect(str(b / "warehouse.duckdb"), read_only=True)
ta = {r[0] for r in ca.execute("select table_name from information_schema.tables where table_schema='publish'").fetchall()}
tb = {r[0] for r in cb.execute("select table_name from information_schema.tables where table_schema='publish'").fetchall()}
print("tables only before:", sorted(ta - tb), "only after:", sorted(tb - ta))
for t in sorted(ta & tb):
    cola = [r[0] for r in ca.execute(f"select column_name from information_schema.columns where table_schema='publish' and table_name='{t}' order by ordinal_position").fetchall()]
    colb = {r[0] for r in cb.execute(f"select column_name from information_schema.columns where table_schema='publish' and table_name='{t}'").fetchall()}
    common = [c for c in cola if c in colb]
    q = f"select {', '.join(common)} from publish.{t}"
    ra, rb = sorted(map(repr, ca.execute(q).fetchall())), sorted(map(repr, cb.execute(q).fetchall()))
    print(f"{t}: {len(ra)} vs {len(rb)} rows, common columns {len(common)}/{len(cola)}->{len(colb)}, "
          f"{'IDENTICAL' if ra == rb else 'DIFFERENT'}; dropped {sorted(set(cola) - colb)}; added {sorted(colb - set(cola))}")
def csv_rows(p):
    text = p.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))
for name in ("indicator_results.csv", "quarantine_report.csv"):
    ra, rb = csv_rows(a / name), csv_rows(b / name)
    common = [c for c in ra[0] if c in rb[0]] if ra and rb else []
    pa = sorted(tuple(r[c] for c in common) for r in ra); pb = sorted(tuple(r[c] for c in common) for r in rb)
    print(f"{name}: {len(ra)} vs {len(rb)} rows, {len(common)} common columns {'IDENTICAL' if pa == pb else 'DIFFERENT'}; added {[c for c in (rb[0] if rb else {}) if c not in common]}")
q = "select * exclude ({}) from read_parquet('{}')"
pa_cols = [r[0] for r in duckdb.execute(f"describe select * from read_parquet('{a}/indicator_results.parquet')").fetchall()]
pb_cols = {r[0] for r in duckdb.execute(f"describe select * from read_parquet('{b}/indicator_results.parquet')").fetchall()}
common = [c for c in pa_cols if c in pb_cols]
x = sorted(map(repr, duckdb.execute(f"select {', '.join(common)} from read_parquet('{a}/indicator_results.parquet')").fetchall()))
y = sorted(map(repr, duckdb.execute(f"select {', '.join(common)} from read_parquet('{b}/indicator_results.parquet')").fetchall()))
print("indicator_results.parquet:", "IDENTICAL" if x == y else "DIFFERENT", "on", len(common), "common columns")
def files(d):
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in d.rglob("*") if p.is_file()}
for sub in ("open", "cnsa", "quality", "dashboard", "rapports"):
    fa, fb = files(a / sub) if (a / sub).exists() else {}, files(b / sub) if (b / sub).exists() else {}
    same = sum(1 for k in fa if fb.get(k) == fa[k])
    print(f"{sub}/: {len(fa)} vs {len(fb)} files, {same} byte-identical, only before {len(set(fa)-set(fb))}, only after {len(set(fb)-set(fa))}")
# CNSA workbooks: cell values
import openpyxl
def cells(p):
    wb = openpyxl.load_workbook(p, read_only=True)
    return [tuple(r) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)]
wa = sorted((a / "cnsa").rglob("*.xlsx")); wb_ = sorted((b / "cnsa").rglob("*.xlsx"))
diff = [p.name for p, q in zip(wa, wb_) if cells(p) != cells(q)]
print(f"cnsa workbooks: {len(wa)} vs {len(wb_)}, cell values differ in {len(diff)}: {diff[:5]}")
