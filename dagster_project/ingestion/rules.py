"""The row rules of the landing contract as SQL: the type each column is stored with, and one predicate per
(column, rule) evaluated in the same pass that reads the file.

Every rule is a bit of the row's ``_viol`` mask, so that the rows of a file are typed and checked in one
set-based statement and the quarantine is a cheap selection of the few rows whose mask is not zero.

The identifier rules (FINESS Luhn key, INS/NIR key, digit-only identifiers) and the typing rules (an ISO date,
a timestamp with its offset, the calendar date written in a timestamp, an integer, a number) are not written
here: they are the dbt macros of ``dbt/macros/identifiers.sql`` and ``parsing.sql`` (plain Jinja), rendered
with jinja2, so the ingestion and dbt apply the same text of each rule.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

from .specs import Column, TableSpec

REPO = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO / "seeds"
MACROS = REPO / "dbt" / "macros"

RE_DATE = r"\d{4}-\d{2}-\d{2}"
RE_TIMESTAMP = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})"
RE_INT = r"[+-]?\d+"
RE_DECIMAL = r"[+-]?\d+([.,]\d+)?"
# C0 control characters other than tab, line feed and carriage return (NUL included).
RE_CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@cache
def _macros(file_name: str):
    return jinja2.Environment().from_string((MACROS / file_name).read_text(encoding="utf-8")).module


def finess_ok(col_sql: str) -> str:
    return str(_macros("identifiers.sql").is_valid_finess(col_sql))


def ins_ok(col_sql: str) -> str:
    return str(_macros("identifiers.sql").is_valid_ins(col_sql))


def digits_ok(col_sql: str, n: int) -> str:
    return str(_macros("identifiers.sql").is_digits(col_sql, n))


@cache
def seed_codes(seed: str) -> tuple[str, ...]:
    """Codes of a code-list seed (``seeds/<seed>.csv``, first column)."""
    with open(SEEDS_DIR / f"{seed}.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    return tuple(r[0] for r in rows[1:] if r)


def raw_type(col: Column) -> str:
    """The DuckDB type a column is stored with in schema raw (typed once, at ingestion)."""
    return {"date": "DATE", "timestamp": "TIMESTAMPTZ", "int": "BIGINT", "decimal": "DOUBLE"}.get(col.rule, "VARCHAR")


def local_date_column(col: Column) -> str | None:
    """Timestamps also keep the calendar date written in them (indicators never convert it to UTC)."""
    return f"{col.name}_local_date" if col.rule == "timestamp" else None


def clean_text(col_sql: str) -> str:
    """Trimmed text, empty -> NULL (what every raw column holds before it is typed)."""
    return str(_macros("parsing.sql").clean_text(col_sql))


def typed_expr(col: Column) -> str:
    """The stored value, from the trimmed text (NULL when empty or when it does not cast)."""
    c, m = q(col.name), _macros("parsing.sql")
    if col.rule == "date":
        return str(m.parse_date(c))
    if col.rule == "timestamp":
        return str(m.parse_ts(c))
    if col.rule == "int":
        return str(m.parse_int(c, "bigint"))
    if col.rule == "decimal":
        return str(m.parse_decimal(c))
    return c


def local_date_expr(col: Column) -> str:
    """The calendar date written in a timestamp (rulebook: never converted to UTC)."""
    return str(_macros("parsing.sql").local_date(q(col.name)))


@dataclass(frozen=True)
class Rule:
    """One bit of ``_viol``: ``bad`` is TRUE when the row breaks it."""

    column: str | None
    rule: str
    severity: str  # rejected | flagged
    bad: str  # SQL predicate over the trimmed text columns
    reason: str  # SQL expression of the one-sentence reason
    per_value: bool = False  # evaluated once per distinct value of the column (identifiers, code lists)


def _value_reason(col: Column, text: str) -> str:
    from ..privacy import mask_sql

    shown = mask_sql(q(col.name)) if col.rule == "ins" else q(col.name)  # an identifier only masked (privacy)
    return f"{lit(col.name)} || ' = ''' || {shown} || ''' ' || {lit(text)}"


def valid_predicate(col: Column) -> tuple[str, str, str] | None:
    """(SQL that is TRUE when the non-empty value is valid, rule id, reason) or None for free text."""
    c = q(col.name)
    r = col.rule
    if r == "text":
        return None
    if r == "date":
        return (f"(regexp_full_match({c}, '{RE_DATE}') AND try_strptime({c}, '%Y-%m-%d') IS NOT NULL)",
                "bad_date", "is not a date YYYY-MM-DD")
    if r == "timestamp":
        return (f"(regexp_full_match({c}, '{RE_TIMESTAMP}') AND try_cast({c} AS TIMESTAMPTZ) IS NOT NULL)",
                "bad_timestamp", "is not an ISO 8601 timestamp with offset")
    if r == "int":
        return f"regexp_full_match({c}, '{RE_INT}')", "bad_integer", "is not an integer"
    if r == "decimal":
        return f"regexp_full_match({c}, '{RE_DECIMAL}')", "bad_decimal", "is not a number"
    if r == "finess":
        return finess_ok(c), "bad_finess", "is not a valid FINESS number (9 characters, Luhn check digit)"
    if r == "ins":
        return ins_ok(c), "bad_ins", "is not a valid INS/NIR (15 characters, key 97 - n mod 97)"
    if r == "rpps":
        return digits_ok(c, 11), "bad_rpps", "is not an RPPS number (11 digits)"
    if r == "siret":
        return digits_ok(c, 14), "bad_siret", "is not a SIRET number (14 digits)"
    if r == "galis":
        return digits_ok(c, 8), "bad_galis", "is not a GALIS reference (8 digits)"
    if r == "enum":
        return (f"{c} IN ({', '.join(lit(v) for v in col.values)})", "unknown_code",
                f"is not one of {', '.join(col.values)}")
    if r == "codelist":
        return (f"{c} IN ({', '.join(lit(v) for v in seed_codes(col.codelist))})", "unknown_code",
                f"is not in the code list {col.codelist}")
    raise ValueError(f"unknown rule {r!r} for column {col.name}")


# Events logged by a system cannot be dated after the day they are ingested; an agenda entry can (a planned
# appointment): it is kept and flagged.
PLANNED_EVENTS = {"dui_agenda"}


# Rules checked once per distinct value instead of once per row (``engine._per_value_rules``): the FINESS key (a Luhn
# sum over 9 characters) and the code lists (an IN list of up to a few hundred codes) on columns of a few thousand
# distinct values in millions of rows. Measured on region data (4.4 M DMP rows): 2.8 s -> 0.1 s for the FINESS key,
# 0.3 s -> 0.06 s for a code list. Identifiers of patients (INS: as many values as patients) stay per row.
PER_VALUE: set[str] = {"finess", "codelist"}


def rules_for(spec: TableSpec, today_sql: str = "current_date", control: bool = True) -> list[Rule]:
    """Every rule of ``spec``, in a fixed order (the bit of rule i is 2**i). ``control``: check text values for
    control characters (only needed when the byte scan of the files found one)."""
    rules: list[Rule] = []
    for col in spec.columns:
        c = q(col.name)
        if col.required:
            rules.append(Rule(col.name, "missing_required", "rejected", f"{c} IS NULL",
                              lit(f"{col.name} is required and empty")))
        chk = valid_predicate(col)
        if chk:
            pred, rule, reason = chk
            sev = "rejected" if col.on_error == "reject" else "flagged"
            rules.append(Rule(col.name, rule, sev, f"({c} IS NOT NULL AND NOT coalesce({pred}, false))",
                              _value_reason(col, reason), per_value=col.rule in PER_VALUE))
        if col.rule == "text" and control:
            rules.append(Rule(col.name, "control_character", "flagged", f"regexp_matches({c}, '{RE_CONTROL}')",
                              lit(f"{col.name} holds a control character (NUL, ...): check the export")))
    if spec.event_column:
        col = next(c for c in spec.columns if c.name == spec.event_column)
        sev = "flagged" if spec.name in PLANNED_EVENTS else "rejected"
        rules.append(Rule(col.name, "future_date", sev, f"{local_date_expr(col)} > {today_sql}",
                          f"{_value_reason(col, 'is dated after the day of ingestion')}"))
    if len(rules) > 62:
        raise ValueError(f"{spec.name}: too many rules for one 64-bit mask")
    return rules


def viol_expr(rules: list[Rule]) -> str:
    """``_viol``: the sum of the bits of the per-row rules a row breaks (0 for a clean row); the per-value rules
    add their bits afterwards (``engine._per_value_rules``)."""
    parts = [f"(CASE WHEN coalesce({r.bad}, false) THEN {1 << i} ELSE 0 END)::BIGINT"
             for i, r in enumerate(rules) if not r.per_value]
    return " + ".join(parts) if parts else "CAST(0 AS BIGINT)"


def reject_mask(rules: list[Rule]) -> int:
    return sum(1 << i for i, r in enumerate(rules) if r.severity == "rejected")
