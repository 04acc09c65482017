"""The identifier and timestamp macros of the dbt project, checked without running dbt.

dbt/macros/identifiers.sql and parsing.sql are plain Jinja: rendered here with jinja2 alone, their SQL runs in
an in-memory DuckDB against the test-vector seeds (the same seeds the dbt singular tests use). Runs in well
under a second, so a broken check digit rule shows up in `make test` before any warehouse is built.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import jinja2
import pytest

REPO = Path(__file__).resolve().parents[2]
MACROS = REPO / "dbt" / "macros"
SEEDS = REPO / "seeds"


def _macros(file_name: str):
    return jinja2.Environment().from_string((MACROS / file_name).read_text(encoding="utf-8")).module


IDENTIFIERS = _macros("identifiers.sql")
PARSING = _macros("parsing.sql")


def _vectors(seed: str) -> list[tuple[str | None, bool, str]]:
    with open(SEEDS / f"{seed}.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    key = "nir" if "nir" in rows[0] else "finess"
    return [(r[key] or None, r["expected_valid"] == "true", r["source"]) for r in rows]


def _evaluate(expression: str, values: list[str | None]) -> list[bool]:
    con = duckdb.connect()
    con.execute("CREATE TABLE v (i INTEGER, x VARCHAR)")
    con.executemany("INSERT INTO v VALUES (?, ?)", list(enumerate(values)))
    return [r[0] for r in con.execute(f"SELECT {expression} FROM v ORDER BY i").fetchall()]


def _vector_id(v):
    return f"{v[0]!r}-{v[2][:40]}"


FINESS_VECTORS = _vectors("test_finess_vectors")
INS_VECTORS = _vectors("test_ins_vectors")


def test_finess_vectors_cover_the_real_excerpt(shared_reference):
    # Guards the provenance: the 28 numbers of the real etalab excerpt must all be in the vectors, valid.
    excerpt = shared_reference / "etalab-cs1100502-stock-20260512-0339.EXCERPT-15-lines.csv"
    lines = excerpt.read_text(encoding="utf-8").splitlines()[1:]
    numbers = [f for line in lines for f in line.split(";")[1:3]]
    assert len(numbers) == 28
    expected = {v[0]: v[1] for v in FINESS_VECTORS}
    assert all(expected.get(n) is True for n in numbers)


@pytest.mark.parametrize("vector", FINESS_VECTORS, ids=_vector_id)
def test_is_valid_finess(vector):
    value, expected, _ = vector
    assert _evaluate(IDENTIFIERS.is_valid_finess("x"), [value]) == [expected]


@pytest.mark.parametrize("vector", INS_VECTORS, ids=_vector_id)
def test_is_valid_ins(vector):
    value, expected, _ = vector
    assert _evaluate(IDENTIFIERS.is_valid_ins("x"), [value]) == [expected]


def test_macros_never_return_null():
    # Flags are two-valued: an absent identifier is "not valid", never NULL (a NULL flag would silently drop
    # rows from `where not ins_valid`).
    assert _evaluate(IDENTIFIERS.is_valid_finess("x"), [None, ""]) == [False, False]
    assert _evaluate(IDENTIFIERS.is_valid_ins("x"), [None, ""]) == [False, False]
    assert _evaluate(IDENTIFIERS.is_digits("x", 11), [None, "12345678901", "1234"]) == [False, True, False]


def _ingestion_answers(sql: str, values: list[str]) -> dict[str, bool | str]:
    """The ingestion's answer for each value, or "crash" when its SQL raises on that value."""
    con = duckdb.connect()
    answers: dict[str, bool | str] = {}
    for v in values:
        try:
            answers[v] = bool(
                con.execute(f"SELECT coalesce({sql}, false) FROM (SELECT ? AS x)", [v]).fetchone()[0]
            )
        except duckdb.Error:
            answers[v] = "crash"
    return answers


def _rule_pairs():
    from dagster_project.ingestion.engine import finess_ok, ins_ok

    return (
        (FINESS_VECTORS, IDENTIFIERS.is_valid_finess("x"), finess_ok("x")),
        (INS_VECTORS, IDENTIFIERS.is_valid_ins("x"), ins_ok("x")),
    )


def test_ingestion_and_dbt_agree_on_identifier_rules():
    # Guards the contract between the two layers: a value the ingestion accepts as a required FINESS / INS must
    # be valid for dbt too (otherwise the blocking valid_finess tests fail on loaded data), and vice versa.
    for vectors, dbt_sql, ingestion_sql in _rule_pairs():
        values = [v[0] for v in vectors if v[0] is not None]
        ingestion = _ingestion_answers(ingestion_sql, values)
        dbt = dict(zip(values, _evaluate(dbt_sql, values)))
        disagreements = {
            v: (ingestion[v], dbt[v]) for v in values if ingestion[v] != "crash" and ingestion[v] != dbt[v]
        }
        assert not disagreements


def test_ingestion_identifier_rules_do_not_crash_on_malformed_values():
    for vectors, _, ingestion_sql in _rule_pairs():
        values = [v[0] for v in vectors if v[0] is not None]
        crashes = [v for v, a in _ingestion_answers(ingestion_sql, values).items() if a == "crash"]
        assert not crashes


@pytest.mark.parametrize(
    ("text", "local", "utc"),
    [
        ("2024-04-01T00:30:00+02:00", "2024-04-01", "2024-03-31 22:30:00"),
        ("2024-03-31T23:59:59-04:00", "2024-03-31", "2024-04-01 03:59:59"),
        ("2024-06-30T12:00:00Z", "2024-06-30", "2024-06-30 12:00:00"),
        (" 2024-12-31T23:00:00+04:00 ", "2024-12-31", "2024-12-31 19:00:00"),
        ("not a timestamp", None, None),
    ],
)
def test_local_date_is_the_written_date(text, local, utc):
    # The rulebook: an event belongs to a period by the calendar date written in its timestamp, never the UTC one.
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    row = con.execute(
        f"SELECT CAST({PARSING.local_date('x')} AS VARCHAR), "
        f"strftime({PARSING.parse_ts('x')} AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') FROM (SELECT ? AS x)",
        [text],
    ).fetchone()
    assert row == (local, utc)
