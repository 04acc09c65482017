"""No patient identifier leaves the working warehouse (dagster_project/privacy.py), on a whole run of a region whose
landing holds valid and invalid INS in every table that has one and in broken lines (the shared fresh run of
conftest.fresh_published): every file the run wrote under <home>, except the working warehouse folder (owner-only)
and the key (outside <home>), is searched for every INS of the landing and every broken line: none is found."""
import csv
import io
import json
import re
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import duckdb
import pytest

from dagster_project.privacy import KEY_FILE_ENV

from .gate_scenarios import INS_COLUMNS

pytestmark = pytest.mark.slow

INS_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}(?![0-9A-Za-z])")


def landing_identifiers(landing: Path) -> tuple[set[str], set[str]]:
    """Every INS of the landing (valid or not), and every line the CSV reader cannot split (broken lines)."""
    ins, broken = set(), set()
    for table, (folder, column) in INS_COLUMNS.items():
        for path in sorted((landing / folder).glob(f"{table}_*.csv")):
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            header, *lines = text.splitlines()
            width = len(header.split(";"))
            i = header.split(";").index(column)
            for ln in lines:
                fields = next(csv.reader(io.StringIO(ln), delimiter=";"), [])
                if len(fields) != width:
                    broken.add(ln)
                if len(fields) > i and fields[i]:
                    ins.add(fields[i])
    report = json.loads((landing / ".synthetic" / "report.json").read_text()) if (landing / ".synthetic").exists() \
        else {}
    for d in report.get("defects", []):
        if d.get("kind") == "truncated_line" and d.get("value"):
            broken.add(d["value"])
    return ins, broken


def text_of(path: Path) -> str:
    """What a person or a program reading the file sees: the text of a PDF, every value of a DuckDB or Parquet
    file, the XML of a workbook, the bytes of anything else."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, text=True, check=True).stdout
    if suffix in (".duckdb", ".parquet"):
        con = duckdb.connect()
        if suffix == ".duckdb":
            con.execute(f"ATTACH '{path}' AS f (READ_ONLY)")
            tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'f'"
                                 ).fetchall()
            parts = []
            for schema, table in tables:
                parts += [" ".join("" if v is None else str(v) for v in row)
                          for row in con.execute(f'SELECT * FROM f."{schema}"."{table}"').fetchall()]
            return "\n".join(parts)
        return "\n".join(" ".join("" if v is None else str(v) for v in row)
                         for row in con.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall())
    if suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", errors="replace") for n in z.namelist())
    return path.read_bytes().decode("utf-8", errors="replace")


def test_no_ins_and_no_broken_line_in_anything_the_run_wrote(fresh_published):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    paths, rc = fresh_published
    assert rc == 0
    ins, broken = landing_identifiers(paths.landing)
    assert len(ins) > 500 and len(broken) >= 3                 # the search has something to find
    searched, kinds = 0, set()
    for path in sorted(paths.home.rglob("*")):
        if path.is_symlink() or not path.is_file() or paths.warehouse_dir in path.parents:
            continue
        text = text_of(path)
        found = set(INS_TOKEN.findall(text)) & ins
        assert not found, (path, sorted(found)[:3])
        lines = [b for b in broken if b in text]
        assert not lines, (path, lines[:1])
        searched += 1
        kinds.add(path.suffix.lower())
    # published CSV, Parquet, DuckDB, HTML, PDF, JSON and the run's log were all searched
    assert {".csv", ".parquet", ".duckdb", ".html", ".pdf", ".json", ".log"} <= kinds, kinds
    assert searched > 50
    # the working warehouse holds the keyed hashes only: the search finds nothing there either
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    for table, (_, column) in INS_COLUMNS.items():
        stored = {r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM raw.{table} WHERE {column} IS NOT NULL"
                                            ).fetchall()}
        assert stored and not stored & ins and all(len(v) == 64 for v in stored), table
    values = " ".join(str(r[0]) for r in con.execute("SELECT value || ' ' || reason FROM raw.quarantine").fetchall())
    assert not set(INS_TOKEN.findall(values)) & ins


def test_nothing_the_run_wrote_is_world_readable(fresh_published):
    paths, _ = fresh_published
    for path in [paths.home, *paths.home.rglob("*")]:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o007 == 0, (path, oct(mode))                # nothing for others
        if paths.warehouse_dir in path.parents or path in (paths.warehouse_dir, paths.logs) \
                or paths.logs in path.parents:
            assert mode & 0o077 == 0, (path, oct(mode))            # working warehouse and logs: owner only
    published = paths.published.resolve()
    for path in [published, *published.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o750 if path.is_dir() else 0o640), (path, oct(mode))   # the publication group reads it
    import os

    key = Path(os.environ[KEY_FILE_ENV])
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
