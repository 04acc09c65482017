"""The synthetic landing folder honours the landing contract (docs/landing.md).

A failure here means the warehouse is tested against files that a real sender would not produce (or
that the injected defects are not where the report says, so the ingestion tests would check nothing).
"""
from __future__ import annotations

import csv
import io
import json
import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dagster_project.ingestion.specs import (
    FINESS_GEOLOCALISATION_COLUMNS,
    FINESS_STRUCTUREET_COLUMNS,
    SPECS,
    SPECS_BY_NAME,
)
from dagster_project.synthetic import generate
from dagster_project.synthetic.defects import CATALOGUE
from dagster_project.synthetic.identifiers import is_valid_finess, is_valid_ins
from dagster_project.synthetic.reference import read_seed

BOM = b"\xef\xbb\xbf"
TS = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})([+-]\d{2}:\d{2})")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    lines: list[str] = []
    t0 = time.perf_counter()
    report = generate(out, scale="tiny", seed=42, progress=lines.append)
    return out, report, time.perf_counter() - t0, lines


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    return out, generate(out, scale="tiny", seed=42, defects=False)


def _text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(BOM):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _files(out: Path, spec) -> list[Path]:
    return sorted(p for p in (out / spec.source).iterdir() if spec.match(p.name))


# ---------------------------------------------------------------------------------- layout and headers
def test_tiny_is_fast(tiny):
    _, report, seconds, lines = tiny
    assert seconds < 20, f"tiny generation took {seconds:.1f}s"
    assert lines and lines[-1].startswith("done:")
    assert sum(report.rows.values()) > 10_000


def test_every_table_is_delivered_with_its_exact_header(tiny):
    out, report, _, _ = tiny
    for spec in SPECS:
        files = _files(out, spec)
        assert files, f"no file for {spec.name}"
        assert report.rows[spec.name] > 0, spec.name
        if spec.layout == "finess_etalab":
            continue
        for f in files:
            header = _text(f).split("\n", 1)[0]
            assert header == spec.delimiter.join(spec.column_names), f.name


def test_finess_etalab_layout(tiny):
    out, _, _, _ = tiny
    files = _files(out, SPECS_BY_NAME["finess_structures"])
    assert len(files) >= 4
    for f in files:
        text = f.read_text(encoding="utf-8")
        first, rest = text.split("\n", 1)
        m = re.fullmatch(r"finess;etalab;(\d+);(\d{4}-\d{2}-\d{2})", first)
        assert m, first
        assert f.name == f"etalab-cs1100507-stock-{m.group(2).replace('-', '')}-{f.name[-8:-4]}.csv"
        sections = {"structureet": 0, "geolocalisation": 0}
        for row in csv.reader(io.StringIO(rest), delimiter=";"):
            assert row[0] in sections
            expected = FINESS_STRUCTUREET_COLUMNS if row[0] == "structureet" else FINESS_GEOLOCALISATION_COLUMNS
            assert len(row) == len(expected), row
            assert is_valid_finess(row[1])
            sections[row[0]] += 1
        assert sections["structureet"] > 100 and sections["geolocalisation"] > 100


def test_structure_universe_covers_every_ep32_group_and_other_regions(tiny):
    out, _, _, _ = tiny
    f = _files(out, SPECS_BY_NAME["finess_structures"])[-1]
    rows = [r for r in csv.reader(io.StringIO(f.read_text(encoding="utf-8").split("\n", 1)[1]), delimiter=";")
            if r[0] == "structureet"]
    perimetre = {r["categetab"]: r for r in read_seed("ref_finess_categetab_ror_perimetre")}
    cats = {r[18] for r in rows}
    assert cats & {"127", "362"}, "no HAD / USLD"
    domains = {perimetre[c]["domaine_ror"] for c in cats if c in perimetre}
    assert {"Sanitaire", "Medico-social", "Offre de ville", "Coordination"} <= domains
    region_deps = {r["dep"] for r in read_seed("ref_departements") if r["reg"] == "84"}
    assert any(r[13] not in region_deps for r in rows), "the national file should hold other regions too"
    assert len({r[2] for r in rows}) < len(rows), "some EJ should hold several ET"


def test_report_json_matches_the_report(tiny):
    out, report, _, _ = tiny
    saved = json.loads((out / ".synthetic" / "report.json").read_text(encoding="utf-8"))
    assert saved["files"] == report.files
    assert saved["rows"] == report.rows
    assert saved["defects"] == json.loads(json.dumps(report.defects))
    for rel in report.files:
        assert (out / rel).is_file(), rel
    on_disk = sorted(str(p.relative_to(out)) for p in out.rglob("*.csv") if ".synthetic" not in p.parts)
    assert on_disk == report.files


# -------------------------------------------------------------------------------------- determinism
def test_same_seed_same_bytes(tiny, tmp_path):
    out, report, _, _ = tiny
    again = generate(tmp_path / "again", scale="tiny", seed=42)
    assert again.files == report.files
    for rel in report.files + [".synthetic/report.json"]:
        assert (out / rel).read_bytes() == (tmp_path / "again" / rel).read_bytes(), rel


def test_parallel_workers_write_the_same_bytes(tmp_path):
    kw = {"scale": "tiny", "seed": 7, "start": date(2022, 1, 1), "end": date(2022, 3, 31)}
    one = generate(tmp_path / "one", jobs=1, **kw)
    two = generate(tmp_path / "two", jobs=2, **kw)
    assert one.files == two.files
    for rel in one.files:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel


def test_another_seed_gives_other_data(tiny, tmp_path):
    out, _, _, _ = tiny
    other = generate(tmp_path / "other", scale="tiny", seed=43, start=date(2021, 1, 1), end=date(2021, 3, 31))
    rel = "coordination/coord_dossiers_2021-01.csv"
    assert rel in other.files
    assert (out / rel).read_bytes() != (tmp_path / "other" / rel).read_bytes()


# ------------------------------------------------------------------------------------------ defects
def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _fields(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter))


def test_every_kind_of_defect_is_injected(tiny):
    _, report, _, _ = tiny
    assert {(d.kind, d.table) for d in CATALOGUE} == {(d["kind"], d["table"]) for d in report.defects}
    for d in report.defects:
        assert set(d) >= {"id", "table", "file", "line", "column", "kind", "expected_rule"}


def test_defects_are_where_the_report_says(tiny):
    out, report, _, _ = tiny
    j17 = {r["code"] for r in read_seed("ref_jdv_j17_activite_operationnelle_ror")}
    for d in report.defects:
        path = out / d["file"]
        data = path.read_bytes()
        spec = SPECS_BY_NAME[d["table"]]
        kind = d["kind"]
        if kind == "encoding_windows_1252":
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            assert re.search("[éèêàôçÉ]", data.decode("cp1252"))
            continue
        if kind == "utf8_bom":
            assert data.startswith(BOM)
            continue
        if kind == "redelivery":
            first = out / d["replaces"]
            assert first.is_file() and path.name == first.name[:-4] + "_v2.csv"
            assert path.stat().st_mtime > first.stat().st_mtime
            assert data.decode("utf-8").count("\n") - 1 == d["expected_rows"]
            assert first.read_bytes() != data
            continue
        lines = data.decode("utf-8").split("\n")
        header = _fields(lines[0], spec.delimiter)
        line = lines[d["line"] - 1]
        row = _fields(line, spec.delimiter)
        if kind == "truncated_line":
            assert not data.endswith(b"\n") and d["line"] == len(lines)
            assert len(row) < len(header)
            continue
        if kind == "duplicate_row":
            assert line == lines[d["line"] - 2]
            continue
        assert len(row) == len(header), d
        value = row[header.index(d["column"])]
        assert value == d["value"], d
        allowed = spec.columns[header.index(d["column"])].values or j17
        broken = {
            "bad_finess": not is_valid_finess(value),
            "bad_ins": not is_valid_ins(value),
            "unknown_code": value not in allowed,
            "bad_date": not DATE.fullmatch(value),
            "bad_timestamp": not TS.fullmatch(value),
            "missing_required": value == "",
        }[kind]
        assert broken, d


# ----------------------------------------------------------------------- a clean folder obeys the rules
def _check_value(col, value: str, codelists: dict) -> str | None:
    if value == "":
        return "missing" if col.required else None
    rule = col.rule
    if rule == "finess" and not is_valid_finess(value):
        return "finess"
    if rule == "ins" and not is_valid_ins(value):
        return "ins"
    if rule == "date" and not DATE.fullmatch(value):
        return "date"
    if rule == "timestamp":
        m = TS.fullmatch(value)
        if not m:
            return "timestamp"
        local = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}")
        offset = local.replace(tzinfo=PARIS).utcoffset()
        if m.group(3) != ("+02:00" if offset == timedelta(hours=2) else "+01:00"):
            return "paris offset"
        if local.replace(tzinfo=PARIS).astimezone(PARIS).replace(tzinfo=None) != local:
            return "non-existent local time"
    if rule in ("int", "rpps", "siret", "galis") and not value.isdigit():
        return rule
    if rule == "rpps" and len(value) != 11 or rule == "siret" and len(value) != 14 or rule == "galis" and len(value) != 8:
        return rule
    if rule == "enum" and value not in col.values:
        return "enum"
    if rule == "codelist" and value not in codelists[col.codelist]:
        return "codelist"
    return None


def test_clean_folder_obeys_every_column_rule(clean):
    """Without defects, every row of every file passes the row rules of specs.py: identifiers, dates,
    timestamps with the right Paris offset, enums and code lists (the ROR J19/J17 quality gaps are
    absent or retired-but-listed codes, never invalid ones)."""
    out, report = clean
    assert report.defects == []
    codelists = {c.codelist: {r["code"] for r in read_seed(c.codelist)}
                 for s in SPECS for c in s.columns if c.codelist}
    problems: list[str] = []
    for rel in report.files:
        path = out / rel
        data = path.read_bytes()
        assert not data.startswith(BOM) and data.endswith(b"\n"), rel
        text = data.decode("utf-8")
        spec = next(s for s in SPECS if s.source == rel.split("/")[0] and s.match(rel.split("/")[1]))
        if spec.layout == "finess_etalab":
            specs = {"structureet": SPECS_BY_NAME["finess_structures"], "geolocalisation": SPECS_BY_NAME["finess_geolocalisation"]}
            rows = [(specs[r[0]], r) for r in csv.reader(io.StringIO(text.split("\n", 1)[1]), delimiter=";")]
        else:
            reader = csv.reader(io.StringIO(text), delimiter=spec.delimiter)
            assert next(reader) == spec.column_names
            rows = [(spec, r) for r in reader]
        keys = set()
        for s, row in rows:
            assert len(row) == len(s.columns), (rel, row)
            for col, value in zip(s.columns, row):
                err = _check_value(col, value, codelists)
                if err:
                    problems.append(f"{rel}: {col.name}={value!r} ({err})")
            if s.key and s.layout != "finess_etalab":
                k = tuple(row[s.column_names.index(c)] for c in s.key)
                assert k not in keys, (rel, k)
                keys.add(k)
    assert not problems, problems[:20]
    assert not [f for f in report.files if f.endswith("_v2.csv")]


def test_coordination_dmp_documents_share_the_dossier_ins(clean):
    """EP-4.2 joins DAC dossiers and DMP documents on the INS and the DAC's FINESS: the data must hold
    such matches (and DMP documents from the other feeds)."""
    out, _ = clean
    dac = {r["finess"] for r in _read(out / "coordination/coord_structures_20241001.csv") if r["type"] == "DAC"}
    ins = {r["ins"] for r in _read(out / "coordination/coord_dossiers_2024-12.csv") if r["ins"]}
    docs = [r for p in sorted((out / "dmp").glob("dmp_documents_2024-*.csv")) for r in _read(p)]
    coord = [r for r in docs if r["author_system"] == "COORDINATION"]
    assert coord and all(r["author_finess"] in dac and r["patient_ins"] in ins for r in coord)
    assert {r["author_system"] for r in docs} == {"COORDINATION", "DUI", "HOPITAL", "LIBERAL"}
    assert {r["type_code"] for r in docs} >= {"18776-5", "SYNTH", "34842-5", "60591-5", "80788-3"}
