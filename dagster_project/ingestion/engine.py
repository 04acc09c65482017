"""Load landing files into schema ``raw``, typed, with every physical line accounted for.

For each table, the file in force for each delivery key (``discovery``: the name decides) is loaded when its
content (SHA-256) differs from what is loaded for that key. For one file:

1. one pass over its bytes (``scan``): SHA-256, physical lines, final newline, NUL bytes, byte-order mark;
2. refuse the whole file, by name and with the reason, when it cannot be read: empty, wrong separator,
   missing or duplicated header column, bad FINESS etalab marker line (other files still load);
3. read it with DuckDB's CSV reader into a temporary stage, in the same statement trimming every value,
   casting it to its stored type and evaluating every row rule of its ``TableSpec`` as one bit of ``_viol``
   (``rules``); a file that is not UTF-8 (Windows-1252, UTF-16) is transcoded to a UTF-8 copy first;
4. check the accounting: physical lines = header + rows + lines the reader rejected. When it does not hold
   (a quoted line break, a blank line, a quote that swallowed lines), the file is read again by the exact
   reader (``reader``) with the physical line number of every record;
5. quarantine (``raw.quarantine``) every broken rule, line and repeated natural key (``duplicate_key``) with
   file, line, column, value, rule and reason; rows with a ``rejected`` rule are not loaded, ``flagged``
   values are loaded and recorded; a last line without its newline is flagged;
6. in one transaction: replace the rows, quarantine and profile of the same delivery key, insert the typed
   rows with their lineage (file, SHA-256, physical line), the delivery's profile (rows, dates, structures:
   what the quality gate judges against the table's history) and the file's record in ``raw.ingested_files``
   with its accounting: physical lines = header + loaded + rejected + blank (+ lines of another section).
   A mismatch is never silent: the file is refused with the numbers.

No Python loop touches the rows of a readable file; only the exact reader of a damaged file does.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from .. import privacy
from .discovery import Inventory, LandingFile, discover, inventory
from .reader import Parsed, parse_exact
from .rules import (
    Rule,
    clean_text,
    finess_ok,
    ins_ok,
    lit,
    local_date_column,
    local_date_expr,
    q,
    raw_type,
    reject_mask,
    rules_for,
    typed_expr,
    viol_expr,
)
from .scan import ByteScan, scan_file, sha256_of
from .specs import COLUMN_SAMPLE_ROWS, LINEAGE_COLUMNS, SOURCES, SPECS, TableSpec, create_raw_schema

__all__ = ["FileRefused", "FileResult", "IngestReport", "discover", "finess_ok", "ingest_landing", "ins_ok",
           "inventory", "sha256_of"]

MAX_LINE_BYTES = 1 << 20  # a line longer than 1 MiB is quarantined (line_too_long)


class FileRefused(Exception):
    """The whole file cannot be read; the message says why in one sentence."""


@dataclass
class FileResult:
    table: str
    file: str
    sha256: str = ""
    delivery_key: str | None = None
    encoding: str | None = None
    status: str = "loaded"  # loaded | unchanged | refused | superseded
    rows_loaded: int = 0
    rows_rejected: int = 0
    values_flagged: int = 0
    physical_lines: int = 0
    blank_lines: int = 0
    other_lines: int = 0
    reader: str = ""  # duckdb | exact | etalab
    message: str = ""
    size: int = 0

    def line(self) -> str:
        if self.status == "refused":
            return f"REFUSED  {self.file}: {self.message}"
        if self.status == "unchanged":
            return f"unchanged {self.file} (already ingested)"
        if self.status == "superseded":
            return f"superseded {self.file}: {self.message}"
        extra = f", {self.rows_rejected} rejected" if self.rows_rejected else ""
        extra += f", {self.values_flagged} values flagged" if self.values_flagged else ""
        enc = f" [{self.encoding}]" if self.encoding not in (None, "utf-8") else ""
        return f"loaded   {self.file}: {self.rows_loaded} rows{extra}{enc}{(' — ' + self.message) if self.message else ''}"


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    unknown_files: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "refused"]

    def totals(self) -> dict[str, int]:
        return {
            "files_loaded": sum(r.status == "loaded" for r in self.results),
            "files_unchanged": sum(r.status == "unchanged" for r in self.results),
            "files_refused": len(self.refused),
            "rows_loaded": sum(r.rows_loaded for r in self.results),
            "rows_rejected": sum(r.rows_rejected for r in self.results),
            "values_flagged": sum(r.values_flagged for r in self.results),
        }


# --------------------------------------------------------------------------- reading files into the stage

BATCH_BYTES = int(os.environ.get("EPARCOURS_INGEST_BATCH_MB", "64")) << 20  # CSV bytes read in one statement


@dataclass
class Readable:
    """The UTF-8 bytes DuckDB reads (the file itself, or a transcoded copy) and their physical lines."""

    path: Path
    encoding: str  # as delivered: utf-8 | utf-8-sig | cp1252 | utf-16
    physical_lines: int
    ends_with_newline: bool


@dataclass
class Unit:
    """One file to load in this run."""

    lf: LandingFile
    scan: ByteScan
    replaces: bool
    res: FileResult
    readable: Readable | None = None
    header: list[str] | None = None
    rejects: list[tuple] = field(default_factory=list)  # (line, raw line, rule, reason) of the exact readers
    blank: int = 0
    other: int = 0


def _transcode(src: Path, encoding: str, tmpdir: Path) -> Readable:
    data = src.read_bytes()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # bytes undefined in cp1252
    if text.startswith("\ufeff"):
        text = text[1:]
    out = tmpdir / (src.name + "." + encoding + ".utf8")
    out.write_text(text, encoding="utf-8", newline="")
    lines = text.count("\n") + (0 if not text or text.endswith("\n") else 1)
    return Readable(out, encoding, lines, text.endswith("\n"))


def _first_line(path: Path) -> str:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        return f.readline().rstrip("\r\n")


def _header(spec: TableSpec, path: Path) -> list[str]:
    """The header of a headed CSV, refused when it cannot be the contract's."""
    header_line = _first_line(path)
    if not header_line.strip():
        raise FileRefused("the file is empty (no header line)")
    header = next(csv.reader(io.StringIO(header_line), delimiter=spec.delimiter, quotechar='"'))
    header = [h.strip() for h in header]
    if len(header) == 1 and spec.delimiter not in header_line:
        seps = [s for s in (",", "\t", "|", ";") if s in header_line and s != spec.delimiter]
        hint = f" (found {seps[0]!r} instead)" if seps else ""
        raise FileRefused(f"wrong separator: expected {spec.delimiter!r}{hint}")
    lowered = {h.lower() for h in header}
    missing = [c for c in spec.required_columns if c.lower() not in lowered]
    if missing:
        raise FileRefused(f"missing required column(s): {', '.join(missing)}")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise FileRefused(f"duplicated column name(s) in the header: {', '.join(dupes)}")
    return header


def _select_list(spec: TableSpec, header: list[str], rules: list[Rule], source_alias: str = "src"):
    """(trimmed text of every contract column and ``_extra``, typed values, ``_viol``) over the trimmed text."""
    by_lower = {h.lower(): h for h in header}
    text = []
    for c in spec.columns:
        h = by_lower.get(c.name.lower())
        text.append(f"{clean_text(f'{source_alias}.{q(h)}')} AS {q(c.name)}" if h else f"NULL::VARCHAR AS {q(c.name)}")
    contract = {c.name.lower() for c in spec.columns}
    extra = [h for h in header if h.lower() not in contract]
    extra_sql = ("json_object(" + ", ".join(f"{lit(h)}, {source_alias}.{q(h)}" for h in extra) + ")"
                 if extra else "NULL::JSON")
    typed = []
    for c in spec.columns:
        if raw_type(c) != "VARCHAR":
            typed.append(f"{typed_expr(c)} AS {q(c.name + '__typed')}")
        if local_date_column(c):
            typed.append(f"{local_date_expr(c)} AS {q(local_date_column(c))}")
    return ", ".join(text + [f"{extra_sql} AS _extra"]), typed, viol_expr(rules)


def _create_stage0(con, from_sql: str, spec, header, rules, carry: str) -> None:
    """``_stage0``: one row per record read, typed and checked in one statement. Its rows are in no particular
    order (a rule's code list becomes a join, after which DuckDB inserts in parallel): every reader carries the
    position of a row as a column. ``carry``: columns of the source kept as they are (the file path and reading
    order of DuckDB's reader, or the exact reader's line number)."""
    inner, typed, viol = _select_list(spec, header, rules)
    con.execute("DROP VIEW IF EXISTS _stage")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _stage0 AS SELECT t.*, {', '.join(typed + [f'{viol} AS _viol'])} "
        f"FROM (SELECT {inner}, {carry} FROM {from_sql}) AS t")
    _per_value_rules(con, rules)


def _per_value_rules(con, rules: list[Rule]) -> None:
    """Rules on identifiers and code lists, checked once per distinct value; the few rows holding a bad value get
    the rule's bit. The distinct values are materialised first: over a subquery, DuckDB pushes the check below the
    DISTINCT and evaluates it on every row again (measured on region data: the FINESS key of 4.4 M DMP rows,
    2.8 s per row, 0.1 s per distinct value)."""
    for i, r in enumerate(rules):
        if not r.per_value:
            continue
        c = q(r.column)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _values AS SELECT DISTINCT {c} FROM _stage0 WHERE {c} IS NOT NULL")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _bad_values AS SELECT {c} FROM _values "
                    f"WHERE coalesce({r.bad}, false)")
        if con.execute("SELECT count(*) FROM _bad_values").fetchall()[0][0]:  # unregister() refuses a half-read result
            con.execute(f"UPDATE _stage0 SET _viol = _viol + {1 << i} WHERE {c} IN (SELECT {c} FROM _bad_values)")


def _read_csv_sql(paths: list[Path], header: list[str], delimiter: str) -> str:
    cols = "{" + ", ".join(f"{lit(h)}: 'VARCHAR'" for h in header) + "}"
    files = "[" + ", ".join(lit(str(p)) for p in paths) + "]"
    return (f"read_csv({files}, delim={lit(delimiter)}, quote='\"', escape='\"', header=true, filename=true, "
            f"auto_detect=false, columns={cols}, strict_mode=true, store_rejects=true, "
            f"rejects_table='_ing_errors', rejects_scan='_ing_scans', max_line_size={MAX_LINE_BYTES})")


def _read_fast(con, spec, units: list[Unit], rules) -> list[tuple[Unit, str]]:
    """Read the files of ``units`` (same header) with DuckDB's reader in one statement into ``_stage0``; return
    the files whose accounting does not hold or that are not UTF-8, with the reason (they are read again alone).

    A row's line is its rank in the scan: ``row_number() OVER ()`` directly over ``read_csv`` numbers the records
    in reading order (DuckDB guarantees the order of a window with an empty ``OVER`` over a single table function,
    under ``preserve_insertion_order``: files in list order, records in file order), before any other operator
    may reorder them. A file's records are then ``_ord`` = first .. first + count - 1 and its data lines start at
    2. A file whose ranks are not one run is read again by the exact reader (never a wrong line number)."""
    con.execute("DROP TABLE IF EXISTS _ing_errors")
    con.execute("DROP TABLE IF EXISTS _ing_scans")
    paths = [u.readable.path for u in units]
    scan = f"(SELECT *, row_number() OVER () AS _ord FROM {_read_csv_sql(paths, units[0].header, spec.delimiter)})"
    _create_stage0(con, f"{scan} AS src", spec, units[0].header, rules, "src.filename AS _path, src._ord")
    errors = {p: kinds for p, kinds in con.execute(
        "SELECT s.file_path, list(DISTINCT e.error_type::VARCHAR) FROM _ing_errors AS e "
        "JOIN _ing_scans AS s USING (scan_id, file_id) GROUP BY 1").fetchall()}
    ranks = {p: (n, first, last) for p, n, first, last in con.execute(
        "SELECT _path, count(*), min(_ord), max(_ord) FROM _stage0 GROUP BY 1").fetchall()}
    again, good = [], []
    for u in units:
        p = str(u.readable.path)
        n, first, last = ranks.get(p, (0, 1, 0))
        if "INVALID ENCODING" in errors.get(p, []):
            again.append((u, "cp1252"))
        elif p in errors or 1 + n != u.readable.physical_lines or last - first + 1 != n:
            again.append((u, "exact"))
        else:
            good.append((p, first, u))
    con.execute("CREATE OR REPLACE TEMP TABLE _filebase (_path VARCHAR, _base BIGINT, _file VARCHAR, "
                "_sha VARCHAR, _delivery_key VARCHAR)")
    if good:
        insert_rows(con, "_filebase", [(p, b, u.lf.rel, u.scan.sha256, u.lf.delivery_key) for p, b, u in good], 5)
        # the file of a row by its path, as CASE expressions (a batch holds a few dozen files): no join per row
        def case(value):
            return "CASE _path " + " ".join(f"WHEN {lit(p)} THEN {value(b, u)}" for p, b, u in good) + " END"

        con.execute(
            f"""CREATE TEMP VIEW _stage AS SELECT * EXCLUDE (_path, _ord), _ord - {case(lambda b, u: b)} + 2 AS _line,
                       {case(lambda b, u: lit(u.lf.rel))} AS _file, {case(lambda b, u: lit(u.scan.sha256))} AS _sha,
                       {case(lambda b, u: lit(u.lf.delivery_key))} AS _delivery_key
                FROM _stage0 WHERE _path IN ({', '.join(lit(p) for p, _, _ in good)})""")
    else:
        con.execute("CREATE TEMP VIEW _stage AS SELECT * EXCLUDE (_path, _ord), 0::BIGINT AS _line, "
                    "''::VARCHAR AS _file, ''::VARCHAR AS _sha, ''::VARCHAR AS _delivery_key FROM _stage0 WHERE false")
    for _, _, u in good:
        u.res.reader = "duckdb"
    return again


def _single_stage(con, u: Unit) -> None:
    """``_stage`` over a ``_stage0`` that carries its own ``_line`` (the exact and etalab readers)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _filebase (_file VARCHAR, _sha VARCHAR, _delivery_key VARCHAR)")
    con.execute("INSERT INTO _filebase VALUES (?, ?, ?)", [u.lf.rel, u.scan.sha256, u.lf.delivery_key])
    con.execute("CREATE TEMP VIEW _stage AS SELECT s.*, f._file, f._sha, f._delivery_key "
                "FROM _stage0 AS s CROSS JOIN _filebase AS f")


def _read_exact(con, spec, u: Unit, rules) -> None:
    """The exact reader (``reader.parse_exact``), loaded into ``_stage0`` with the physical line of each row."""
    import pyarrow as pa

    text = u.readable.path.read_bytes().decode("utf-8-sig")
    parsed: Parsed = parse_exact(text, spec.delimiter)
    header = parsed.header
    cols: list[list] = [[] for _ in header]
    lines = []
    for ln, fields in parsed.rows:
        lines.append(ln)
        for i, v in enumerate(fields):
            cols[i].append(v)
    table = pa.table({**{f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(cols)},
                      "_line": pa.array(lines, pa.int64())})
    con.register("_parsed", table)
    try:
        renamed = ", ".join([f"c{i} AS {q(h)}" for i, h in enumerate(header)] + ["_line"])
        _create_stage0(con, f"(SELECT {renamed} FROM _parsed) AS src", spec, header, rules, "src._line")
    finally:
        con.unregister("_parsed")
    _single_stage(con, u)
    u.rejects, u.blank, u.other = list(parsed.bad), len(parsed.blank), parsed.continuation
    u.res.reader = "exact"


def _read_etalab(con, spec: TableSpec, u: Unit, rules) -> None:
    """The etalab FINESS stock file: marker line, no header, ``structureet`` and ``geolocalisation`` lines, no
    quoting. Lines of the other section are counted (``other``), unknown sections quarantined once."""
    path = u.readable.path
    first = _first_line(path)
    if not first.strip():
        raise FileRefused("the file is empty")
    if not first.lower().startswith("finess;etalab;"):
        raise FileRefused(f"line 1 is not the etalab marker 'finess;etalab;<n>;<date>' (found {first[:60]!r})")
    section = spec.columns[0].values[0]  # structureet | geolocalisation
    n_fields = len(spec.columns)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _lines0 AS
            SELECT row_number() OVER () AS _line, line
            FROM read_csv({lit(str(path))}, delim='\\x1f', quote='', escape='', header=false,
                                      auto_detect=false, columns={{'line': 'VARCHAR'}},
                                      max_line_size={MAX_LINE_BYTES}, strict_mode=false)""")
    if con.execute("SELECT count(*) FROM _lines0").fetchone()[0] != u.readable.physical_lines:
        # DuckDB skips blank lines: number the physical lines in Python instead (no quoting in this layout)
        import pyarrow as pa

        from .reader import split_lines

        lines = split_lines(path.read_bytes().decode("utf-8-sig"))
        con.register("_py_lines", pa.table({"_line": pa.array(range(1, len(lines) + 1), pa.int64()),
                                            "line": pa.array(lines, pa.string())}))
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE _lines0 AS SELECT _line, line FROM _py_lines")
        finally:
            con.unregister("_py_lines")
    # the line is numbered in the scan (a window with an empty OVER keeps the reading order), not by rowid
    con.execute("CREATE OR REPLACE TEMP TABLE _lines AS SELECT _line, line, string_split(line, ';') AS f "
                "FROM _lines0")
    blank, other = con.execute(
        f"""SELECT count(*) FILTER (WHERE _line > 1 AND trim(coalesce(line, '')) = ''),
                   count(*) FILTER (WHERE _line > 1 AND f[1] <> '{section}' AND trim(coalesce(line, '')) <> '')
            FROM _lines""").fetchone()
    header = list(spec.column_names)
    fields = ", ".join([f"f[{i + 1}] AS {q(c)}" for i, c in enumerate(header)] + ["_line"])
    _create_stage0(con, f"(SELECT {fields} FROM _lines WHERE _line > 1 AND f[1] = '{section}' "
                        f"AND len(f) = {n_fields}) AS src", spec, header, rules, "src._line")
    _single_stage(con, u)
    last = u.readable.physical_lines
    u.rejects = [(ln, line, "truncated_line" if ln == last and not u.readable.ends_with_newline
                  else "wrong_field_count", f"a {section} line must have {n_fields} fields, found {n}")
                 for ln, line, n in con.execute(
                     f"SELECT _line, line, len(f) FROM _lines WHERE _line > 1 AND f[1] = '{section}' "
                     f"AND len(f) <> {n_fields} ORDER BY 1").fetchall()]
    if spec.name == "finess_structures":  # unknown sections are reported once, on the structures table
        unknown = con.execute(
            "SELECT _line, line, f[1] FROM _lines WHERE _line > 1 AND trim(coalesce(line, '')) <> '' "
            "AND f[1] NOT IN ('structureet', 'geolocalisation') ORDER BY 1").fetchall()
        u.rejects += [(ln, line, "unknown_section", f"line type {kind} is neither structureet nor geolocalisation")
                      for ln, line, kind in unknown]
        other -= len(unknown)
    u.blank, u.other = blank, other
    u.res.reader = "etalab"


# --------------------------------------------------------------------------- checking and loading a stage


def _quarantine(con, spec: TableSpec, rules: list[Rule], units: list[Unit]) -> None:
    """``_quar`` (file, line, column, value, rule, reason, severity) and ``_rejected`` (file, line not loaded)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _bad AS SELECT * FROM _stage WHERE _viol <> 0")
    con.execute("CREATE OR REPLACE TEMP TABLE _quar (_file VARCHAR, line_number BIGINT, column_name VARCHAR, "
                "value VARCHAR, rule VARCHAR, reason VARCHAR, severity VARCHAR)")
    if con.execute("SELECT count(*) FROM _bad").fetchone()[0]:
        identifiers = {c.name for c in spec.columns if c.rule == "ins"}

        def value(column):  # an identifier is kept masked, never in clear (privacy)
            if not column:
                return "NULL"
            return privacy.mask_sql(q(column)) if column in identifiers else q(column)

        parts = [f"""SELECT _file, _line, {lit(r.column) if r.column else 'NULL'},
                            {value(r.column)}, '{r.rule}', {r.reason}, '{r.severity}'
                     FROM _bad WHERE (_viol & {1 << i}) <> 0""" for i, r in enumerate(rules)]
        con.execute("INSERT INTO _quar " + " UNION ALL ".join(parts))
    reader_rejects = [(u.lf.rel, ln, raw, rule, reason) for u in units for ln, raw, rule, reason in u.rejects]
    if reader_rejects:
        # a broken line is kept for the engineer who fixes the file, with every NIR-shaped run masked
        insert_rows(con, "_quar", reader_rejects, 5, f"c0, c1, NULL, {privacy.mask_line_sql('c2')}, c3, c4, 'rejected'")
    mask = reject_mask(rules)
    if spec.key:  # a repeated natural key within a delivery: the later lines are rejected
        keys = ", ".join(q(k) for k in spec.key)
        label = " + ".join(spec.key)
        on = " AND ".join(f"s.{q(k)} IS NOT DISTINCT FROM d.{q(k)}" for k in spec.key)
        # candidates by a 64-bit hash of the key (one number to group on), then the exact check on those rows
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _dup_hash AS SELECT _delivery_key, hash({keys}) AS h
                        FROM _stage WHERE (_viol & {mask}) = 0 GROUP BY ALL HAVING count(*) > 1""")
        if con.execute("SELECT count(*) FROM _dup_hash").fetchone()[0]:
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE _dup_rows AS SELECT s.* FROM _stage AS s
                    JOIN _dup_hash AS d ON d._delivery_key = s._delivery_key AND d.h = hash({', '.join(f's.{q(k)}' for k in spec.key)})
                    WHERE (s._viol & {mask}) = 0""")
            con.execute(
                f"""INSERT INTO _quar
                    SELECT s._file, s._line, {lit(label)},
                           concat_ws(' | ', {', '.join(f's.{q(k)}' for k in spec.key)}), 'duplicate_key',
                           format('{label} repeats the row of line {{}}', d.first_line), 'rejected'
                    FROM (SELECT _delivery_key, {keys}, min(_line) AS first_line FROM _dup_rows
                          GROUP BY ALL HAVING count(*) > 1) AS d
                    JOIN _dup_rows AS s ON s._delivery_key = d._delivery_key AND {on}
                    WHERE s._line > d.first_line""")
    con.execute("CREATE OR REPLACE TEMP TABLE _rejected AS SELECT DISTINCT _file, line_number FROM _quar "
                "WHERE severity = 'rejected'")
    cut = [(u.lf.rel, u.readable.physical_lines) for u in units
           if not u.readable.ends_with_newline and u.readable.physical_lines >= 2]
    if cut:  # a last line without its newline may have been cut in transfer
        con.execute("CREATE OR REPLACE TEMP TABLE _cut (_file VARCHAR, line BIGINT)")
        con.executemany("INSERT INTO _cut VALUES (?, ?)", cut)
        con.execute(
            """INSERT INTO _quar SELECT s._file, s._line, NULL, NULL, 'no_final_newline',
                   'the file does not end with a newline: its last line may have been cut in transfer (check its '
                   || 'last value)', 'flagged'
               FROM _stage AS s JOIN _cut AS c ON c._file = s._file AND c.line = s._line
               WHERE NOT EXISTS (SELECT 1 FROM _rejected AS r WHERE r._file = s._file
                                 AND r.line_number = s._line)""")


def _loaded(con) -> str:
    """The FROM clause of the rows to load: not rejected, not of a refused file (no anti-join when none)."""
    where = []
    if con.execute("SELECT count(*) FROM _rejected").fetchone()[0]:
        where.append("NOT EXISTS (SELECT 1 FROM _rejected AS r WHERE r._file = s._file AND r.line_number = s._line)")
    if con.execute("SELECT count(*) FROM _excluded").fetchone()[0]:
        where.append("s._file NOT IN (SELECT _file FROM _excluded)")
    return "FROM _stage AS s WHERE " + (" AND ".join(where) or "true")


def _install_pseudonym(con) -> str:
    """The temporary macro ``pseudonym(v)`` (HMAC-SHA-256 under the key, ``privacy``), after checking that the key
    is the one the warehouse was built with: rows under another key would not join the earlier ones. Returns the
    macro's statement, for the other connections of the ingestion (a temporary macro is one connection's)."""
    key = privacy.load_key()
    fp = privacy.fingerprint(key)
    known = con.execute("SELECT key_fingerprint FROM raw.pseudonymisation LIMIT 1").fetchone()
    if known is None:
        con.execute("INSERT INTO raw.pseudonymisation VALUES (?, ?)", [fp, datetime.now(timezone.utc)])
    elif known[0] != fp:
        raise privacy.PseudonymKeyError(
            f"the pseudonymisation key ({privacy.KEY_ENV}, {privacy.KEY_FILE_ENV} or {privacy.key_file()}) is not "
            f"the one this working warehouse was built with (fingerprint {known[0]}, now {fp}): new rows would not "
            "join the earlier ones. Restore the key, or delete <home>/warehouse and run again to rebuild it from "
            "the landing folder under the new key (README, 'Patient identifiers')")
    macro = f"CREATE OR REPLACE TEMP MACRO pseudonym(v) AS {privacy.hmac_sql('v', key)}"
    con.execute(macro)
    return macro


def _insert_rows(con, spec: TableSpec, ingested_at: datetime) -> None:
    cols, vals = [], []
    for c in spec.columns:
        cols.append(q(c.name))
        if c.rule == "ins":  # pseudonymised at the door: only the keyed hash and the validity are stored
            vals.append(f"pseudonym(s.{q(c.name)})")
            cols.append(q(c.name + "_valid"))
            vals.append(f"coalesce({ins_ok('s.' + q(c.name))}, false)")
            continue
        vals.append("s." + (q(c.name + "__typed") if raw_type(c) != "VARCHAR" else q(c.name)))
        if local_date_column(c):
            cols.append(q(local_date_column(c)))
            vals.append("s." + q(local_date_column(c)))
    lineage = [n for n, _ in LINEAGE_COLUMNS]
    con.execute(f"""INSERT INTO raw.{spec.name} ({', '.join(cols + lineage)})
                    SELECT {', '.join(vals)}, s._delivery_key, s._file, s._sha, s._line, ?,
                           s._extra {_loaded(con)}""", [ingested_at])


def _profile(con, spec: TableSpec) -> None:
    """What the quality gate judges a delivery on, from its loaded rows: volume, dates, structures."""
    st = f"s.{q(spec.structure_column)}" if spec.structure_column else "NULL"
    loaded = _loaded(con)
    if spec.event_column:
        d = f"s.{q(spec.event_column + '_local_date')}"
        month = ("CAST(strptime(s._delivery_key || '-01', '%Y-%m-%d') AS DATE)" if spec.kind != "snapshot_dated"
                 else "CAST(s._delivery_key AS DATE)")
        dates = (f"count({d}), min({d}), max({d}), count(DISTINCT {d}), "
                 f"count(*) FILTER (WHERE date_trunc('month', {d}) = {month})")
    else:
        dates = "NULL, NULL, NULL, NULL, NULL"
    con.execute(f"""INSERT INTO raw.delivery_profiles
                    SELECT ?, s._delivery_key, s._sha, count(*), {dates}, NULL
                    {loaded} GROUP BY s._delivery_key, s._sha""", [spec.name])
    if spec.structure_column:
        # rows of one dossier come together (a dossier in use that month has several events): the gate weighs a
        # structure's empty month by its dossiers, not its rows
        units = ("count(DISTINCT s.dossier_id) + count(*) FILTER (WHERE s.dossier_id IS NULL)"
                 if any(c.name == "dossier_id" for c in spec.columns) else "count(*)")
        span = (f"min(s.{q(spec.event_column + '_local_date')}), max(s.{q(spec.event_column + '_local_date')})"
                if spec.event_column else "NULL, NULL")
        con.execute(f"""INSERT INTO raw.delivery_structures
                        (table_name, delivery_key, file_sha256, structure_reference, structure_id, rows_loaded, units,
                         first_date, last_date)
                        SELECT ?, s._delivery_key, s._sha, ?, {st}, count(*), {units}, {span}
                        {loaded} AND {st} IS NOT NULL GROUP BY s._delivery_key, s._sha, {st}""",
                    [spec.name, spec.structure_reference])
        con.execute("""UPDATE raw.delivery_profiles AS p SET structures = c.n
                       FROM (SELECT delivery_key, file_sha256, count(*) AS n FROM raw.delivery_structures
                             WHERE table_name = ? GROUP BY ALL) AS c
                       WHERE p.table_name = ? AND p.delivery_key = c.delivery_key
                         AND p.file_sha256 = c.file_sha256 AND p.structures IS NULL""", [spec.name, spec.name])


def _profile_columns(con, spec: TableSpec) -> None:
    """``raw.delivery_columns``: fill, distinct values and dominant shape of every column of each delivery, on
    its first ``COLUMN_SAMPLE_ROWS`` data lines (see specs.DELIVERY_COLUMNS_DDL)."""
    names = [c.name for c in spec.columns]
    sample = ", ".join(f"nullif(trim(CAST(s.{q(n)} AS VARCHAR)), '') AS {q(n)}" for n in names)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _colsample AS SELECT s._delivery_key, s._sha, {sample}
                    {_loaded(con)} AND s._line <= {COLUMN_SAMPLE_ROWS + 1}""")
    values = ", ".join(f"({lit(c.name)}, {lit(raw_type(c))}, {lit(c.rule)}, {str(tuple(spec.key) == (c.name,))})"
                       for c in spec.columns)
    con.execute(f"""
        INSERT INTO raw.delivery_columns
        WITH n AS (SELECT _delivery_key, _sha, count(*) AS sampled FROM _colsample GROUP BY ALL),
        u AS (UNPIVOT _colsample ON {', '.join(q(n) for n in names)} INTO NAME column_name VALUE value),
        shapes AS (SELECT _delivery_key, _sha, column_name,
                          left(regexp_replace(upper(value), '[0-9]+', '9', 'g'), 12) AS shape, count(*) AS k,
                          count(DISTINCT value) AS d
                   FROM u GROUP BY ALL),
        per_column AS (SELECT _delivery_key, _sha, column_name, sum(k) AS filled, sum(d) AS distinct_values,
                              first(shape ORDER BY k DESC, shape) AS top_shape, max(k) AS top_shape_rows
                       FROM shapes GROUP BY ALL)
        SELECT ?, n._delivery_key, n._sha, c.column_name, n.sampled, coalesce(p.filled, 0),
               coalesce(p.distinct_values, 0), p.top_shape, coalesce(p.top_shape_rows, 0), c.stored_type,
               c.column_rule, c.is_key
        FROM n CROSS JOIN (VALUES {values}) AS c(column_name, stored_type, column_rule, is_key)
        LEFT JOIN per_column AS p ON p._delivery_key = n._delivery_key AND p._sha = n._sha
                                 AND p.column_name = c.column_name""", [spec.name])


def _load_stage(con, spec: TableSpec, rules: list[Rule], units: list[Unit], ingested_at: datetime) -> None:
    """Quarantine, account for and load the rows of ``_stage`` (the files of ``units``) in one transaction."""
    if not units:
        return
    _quarantine(con, spec, rules, units)
    n_stage = dict(con.execute("SELECT _file, count(*) FROM _stage GROUP BY 1").fetchall())
    rejected = dict(con.execute("SELECT _file, count(*) FROM _rejected GROUP BY 1").fetchall())
    flagged = dict(con.execute("SELECT _file, count(*) FROM _quar WHERE severity = 'flagged' GROUP BY 1").fetchall())
    excluded = []
    for u in units:
        res, f = u.res, u.lf.rel
        reader_rejected = len({r[0] for r in u.rejects})
        res.encoding = u.readable.encoding
        res.physical_lines, res.blank_lines, res.other_lines = u.readable.physical_lines, u.blank, u.other
        res.rows_rejected = rejected.get(f, 0)
        res.values_flagged = flagged.get(f, 0)
        res.rows_loaded = n_stage.get(f, 0) - (res.rows_rejected - reader_rejected)
        accounted = 1 + res.rows_loaded + res.rows_rejected + u.blank + u.other
        if accounted != u.readable.physical_lines:  # never silent: the file is refused with the numbers
            excluded.append(f)
            res.status = "refused"
            res.message = (f"the lines of the file are not all accounted for ({u.readable.physical_lines} physical "
                           f"lines, 1 header + {res.rows_loaded} loaded + {res.rows_rejected} quarantined + "
                           f"{u.blank} blank + {u.other} other): nothing loaded, please report it")
        elif u.blank:
            res.message = f"{u.blank} blank line(s) skipped"
    con.execute("CREATE OR REPLACE TEMP TABLE _excluded (_file VARCHAR)")
    if excluded:
        con.executemany("INSERT INTO _excluded VALUES (?)", [(f,) for f in excluded])
    con.execute("BEGIN TRANSACTION")
    try:
        for u in units:
            if u.replaces:
                _drop_delivery(con, spec, u.lf.delivery_key, f"replaced by {u.lf.rel}")
                if u.res.status == "loaded":
                    u.res.message = "; ".join(filter(None, [f"replaces the earlier delivery of {u.lf.delivery_key}",
                                                            u.res.message]))
        _insert_rows(con, spec, ingested_at)
        con.execute(
            """INSERT INTO raw.quarantine SELECT ?, ?, q._file, f._sha, q.line_number, q.column_name, q.value, q.rule,
                      q.reason, q.severity, f._delivery_key, ?
               FROM _quar AS q JOIN (SELECT DISTINCT _file, _sha, _delivery_key FROM _filebase) AS f USING (_file)
               WHERE q._file NOT IN (SELECT _file FROM _excluded)
               ORDER BY q._file, q.line_number, q.column_name""", [spec.source, spec.name, ingested_at])
        _profile(con, spec)
        _profile_columns(con, spec)
        for u in units:
            if u.res.status == "refused":
                _refusal_rows(con, spec, u.res, ingested_at)
            _record(con, spec, u.res, u.lf, ingested_at)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _drop_delivery(con, spec: TableSpec, key: str, message: str) -> None:
    con.execute(f"DELETE FROM raw.{spec.name} WHERE _delivery_key = ?", [key])
    con.execute("DELETE FROM raw.quarantine WHERE table_name = ? AND delivery_key = ?", [spec.name, key])
    con.execute("DELETE FROM raw.delivery_profiles WHERE table_name = ? AND delivery_key = ?", [spec.name, key])
    con.execute("DELETE FROM raw.delivery_structures WHERE table_name = ? AND delivery_key = ?", [spec.name, key])
    con.execute("DELETE FROM raw.delivery_columns WHERE table_name = ? AND delivery_key = ?", [spec.name, key])
    con.execute("UPDATE raw.ingested_files SET status = 'replaced', message = ? "
                "WHERE table_name = ? AND delivery_key = ? AND status IN ('loaded', 'refused')",
                [message, spec.name, key])


def _record(con, spec: TableSpec, res: FileResult, lf: LandingFile | None, ingested_at: datetime) -> None:
    con.execute(
        "INSERT INTO raw.ingested_files (table_name, source, delivery_key, file_name, file_sha256, file_size, "
        "file_mtime_ns, version, encoding, physical_lines, blank_lines, other_lines, rows_loaded, rows_rejected, "
        "values_flagged, reader, status, message, ingested_at, file_ctime_ns) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [spec.name, spec.source, res.delivery_key, res.file, res.sha256, res.size,
         lf.mtime_ns if lf else None, ".".join(map(str, lf.version)).rstrip(".") if lf else None, res.encoding,
         res.physical_lines, res.blank_lines, res.other_lines, res.rows_loaded, res.rows_rejected,
         res.values_flagged, res.reader or None, res.status, res.message, ingested_at,
         lf.ctime_ns if lf else None])


def _refusal_rows(con, spec: TableSpec, res: FileResult, ingested_at: datetime) -> None:
    con.execute(
        "INSERT INTO raw.quarantine VALUES (?, ?, ?, ?, NULL, NULL, NULL, 'file_refused', ?, 'file_refused', ?, ?)",
        [spec.source, spec.name, res.file, res.sha256, res.message, res.delivery_key, ingested_at])


def _refuse(con, spec: TableSpec, u: Unit, message: str, ingested_at: datetime) -> None:
    """A refused file is the delivery in force of its key: what was loaded for that key goes (its month must not
    be computed on the previous content) and the refusal is recorded with its reason."""
    u.res.status, u.res.message = "refused", message
    con.execute("BEGIN TRANSACTION")
    try:
        if u.replaces:
            _drop_delivery(con, spec, u.lf.delivery_key, f"replaced by {u.lf.rel} (refused)")
        _refusal_rows(con, spec, u.res, ingested_at)
        _record(con, spec, u.res, u.lf, ingested_at)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


# --------------------------------------------------------------------------- tables and the landing folder


def _current(con, table: str) -> dict[str, tuple[str, str, str]]:
    """delivery key -> (file, sha256, status) of what is in force in the warehouse for ``table``."""
    return {k: (f, s, st) for k, f, s, st in con.execute(
        "SELECT delivery_key, file_name, file_sha256, status FROM raw.ingested_files "
        "WHERE table_name = ? AND status IN ('loaded', 'refused')", [table]).fetchall()}


def _known_hashes(con) -> dict[tuple[str, int, int, int], str]:
    """(file, size, mtime, ctime) -> sha256 of files already hashed: an unchanged file is not read again. The
    inode change time is part of the proof: a correction copied in place with the same size and modification
    time (``cp -p``, ``rsync -t``) has a new ctime, which no user tool can set back, and is hashed again."""
    return {(f, s, m, c): h for f, s, m, c, h in con.execute(
        "SELECT file_name, file_size, file_mtime_ns, file_ctime_ns, any_value(file_sha256) FROM raw.ingested_files "
        "WHERE file_size IS NOT NULL AND file_mtime_ns IS NOT NULL AND file_ctime_ns IS NOT NULL "
        "GROUP BY ALL").fetchall()}


def _stat_key(lf: LandingFile) -> tuple[str, int, int, int]:
    return (lf.rel, lf.size, lf.mtime_ns, lf.ctime_ns)


class _Scanner:
    """Byte scans in a background thread, ahead of DuckDB (hashing releases the GIL)."""

    def __init__(self):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan")
        self._futures: dict[Path, Future] = {}
        self._lock = threading.Lock()

    def prefetch(self, paths: list[Path]) -> None:
        with self._lock:
            for p in paths:
                if p not in self._futures:
                    self._futures[p] = self._pool.submit(scan_file, p)

    def get(self, path: Path) -> ByteScan:
        self.prefetch([path])
        return self._futures[path].result()

    def close(self):
        self._pool.shutdown(wait=False, cancel_futures=True)


def _batches(units: list[Unit]) -> list[list[Unit]]:
    """Files of the same header read together, up to BATCH_BYTES of CSV per statement."""
    groups: dict[tuple, list[Unit]] = {}
    for u in units:
        groups.setdefault(tuple(u.header), []).append(u)
    out = []
    for members in groups.values():
        batch, size = [], 0
        for u in members:
            if batch and size + u.scan.size > BATCH_BYTES:
                out.append(batch)
                batch, size = [], 0
            batch.append(u)
            size += u.scan.size
        if batch:
            out.append(batch)
    return out


def _prepare(con, spec: TableSpec, u: Unit, tmpdir: Path, ingested_at: datetime) -> bool:
    """Encoding and header of a file before it is read; False (and the file refused) when it cannot be."""
    try:
        if u.scan.size == 0:
            raise FileRefused("the file is empty")
        u.readable = Readable(u.lf.path, u.scan.bom or "utf-8", u.scan.physical_lines, u.scan.ends_with_newline)
        if u.scan.bom == "utf-16":
            u.readable = _transcode(u.lf.path, "utf-16", tmpdir)
        if spec.layout != "finess_etalab":
            u.header = _header(spec, u.readable.path)
        return True
    except FileRefused as e:
        _refuse(con, spec, u, str(e), ingested_at)
    except (UnicodeError, OSError) as e:
        _refuse(con, spec, u, f"unreadable file: {str(e).splitlines()[0]}", ingested_at)
    return False


def _load_alone(con, spec, rules, u: Unit, tmpdir: Path, ingested_at: datetime, how: str) -> None:
    """A file read on its own: the etalab layout, a file that is not UTF-8, or a damaged file (exact reader)."""
    try:
        if how == "cp1252":
            u.readable = _transcode(u.lf.path, "cp1252", tmpdir)
            u.header = _header(spec, u.readable.path)
            again = _read_fast(con, spec, [u], rules)
            if again:
                _read_exact(con, spec, u, rules)
        elif how == "etalab":
            try:
                _read_etalab(con, spec, u, rules)
            except duckdb.InvalidInputException:
                u.readable = _transcode(u.lf.path, "cp1252", tmpdir)
                _read_etalab(con, spec, u, rules)
        else:
            _read_exact(con, spec, u, rules)
    except FileRefused as e:
        _refuse(con, spec, u, str(e), ingested_at)
        return
    except (duckdb.InvalidInputException, duckdb.ConversionException, UnicodeError, OSError) as e:
        _refuse(con, spec, u, f"unreadable CSV: {str(e).splitlines()[0]}", ingested_at)
        return
    _load_stage(con, spec, rules, [u], ingested_at)


def ingest_table(con, spec: TableSpec, inv: Inventory, ingested_at: datetime | None = None,
                 scanner: _Scanner | None = None, on_file=None) -> list[FileResult]:
    """Load the file in force of every delivery of ``spec`` whose content changed (see the module docstring).
    ``on_file(result)`` is called for every file in force as soon as it is done (unchanged, loaded or refused): the
    progress of a run."""
    done = on_file or (lambda res: None)
    create_raw_schema(con)
    macro = _install_pseudonym(con) if any(c.rule == "ins" for c in spec.columns) else None
    ingested_at = ingested_at or datetime.now(timezone.utc)
    own = scanner is None
    scanner = scanner or _Scanner()
    current = _current(con, spec.name)
    known = _known_hashes(con)
    results: list[FileResult] = []
    units: list[Unit] = []
    winners = inv.winners(spec.name)
    scanner.prefetch([lf.path for lf in winners if _stat_key(lf) not in known])
    try:
        for lf in winners:
            cur = current.get(lf.delivery_key)
            sha = known.get(_stat_key(lf))
            if sha is not None and cur is not None and cur[1] == sha and cur[0] == lf.rel:
                results.append(FileResult(spec.name, lf.rel, sha, lf.delivery_key, status="unchanged"))
                done(results[-1])
                continue
            scan = scanner.get(lf.path)
            if cur is not None and cur[1] == scan.sha256 and cur[0] == lf.rel:
                results.append(FileResult(spec.name, lf.rel, scan.sha256, lf.delivery_key, status="unchanged"))
                done(results[-1])
                _remember_stat(con, spec, lf, scan)
                continue
            res = FileResult(spec.name, lf.rel, scan.sha256, lf.delivery_key, size=scan.size)
            units.append(Unit(lf, scan, cur is not None, res))
        with tempfile.TemporaryDirectory(prefix="eparcours_ingest_") as tmp:
            tmpdir = Path(tmp)
            ready = [u for u in units if _prepare(con, spec, u, tmpdir, ingested_at)]
            for u in units:
                if u.res.status == "refused":
                    done(u.res)
            if spec.layout == "finess_etalab":  # a file at a time (its own layout), two at once
                def load_etalab(cur, batch):
                    (u,) = batch
                    _load_alone(cur, spec, rules_for(spec, control=u.scan.has_control), u, tmpdir, ingested_at,
                                "etalab")
                    return batch

                for (u,) in _in_parallel(con, [[u] for u in ready], load_etalab, macro):
                    done(u.res)
            else:
                def load(cur, batch):
                    rules = rules_for(spec, control=any(u.scan.has_control for u in batch))
                    again = _read_fast(cur, spec, batch, rules)
                    retried = {id(u) for u, _ in again}
                    _load_stage(cur, spec, rules, [u for u in batch if id(u) not in retried], ingested_at)
                    for u, how in again:
                        _load_alone(cur, spec, rules_for(spec, control=True), u, tmpdir, ingested_at, how)
                    return batch

                for batch in _in_parallel(con, _batches(ready), load, macro):
                    for u in batch:
                        done(u.res)
        results.extend(u.res for u in units)
        _record_superseded(con, spec, inv, known, scanner, ingested_at, results)
    finally:
        if own:
            scanner.close()
    return results


WORKERS = int(os.environ.get("EPARCOURS_INGEST_WORKERS", "2"))


def _in_parallel(con, batches: list, load, macro: str | None):
    """``load(connection, batch)`` for every batch, on up to WORKERS connections of the same database at once,
    each batch in its own transaction (its own temporary stage: a temporary table is one connection's); yields each
    batch when it is done, in this thread (the caller reports progress from here). Reading a batch keeps the
    files' order (its lines are numbered in the scan) and so uses about one core; two batches at once use both
    (measured on region data: dui_evenements, 21 M rows in 40 batches, 60 s -> 42 s; dmp_documents 27 s -> 19 s).
    Concurrent transactions append to the same tables and replace different deliveries: DuckDB lets them commit.
    The first error stops the others and is raised."""
    if WORKERS <= 1 or len(batches) <= 1:
        for b in batches:
            yield load(con, b)
        return
    cursors = [con.cursor() for _ in range(min(WORKERS, len(batches)))]
    free = list(cursors)
    lock = threading.Lock()
    try:
        for cur in cursors:
            if macro:
                cur.execute(macro)

        def run(b):
            with lock:
                cur = free.pop()
            try:
                return load(cur, b)
            finally:
                with lock:
                    free.append(cur)

        with ThreadPoolExecutor(max_workers=len(cursors), thread_name_prefix="ingest") as pool:
            futures = [pool.submit(run, b) for b in batches]
            try:
                for f in futures:
                    yield f.result()
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
    finally:
        for cur in cursors:
            cur.close()


def _record_superseded(con, spec, inv, known, scanner, ingested_at, results) -> None:
    recorded = {(f, h) for f, h in con.execute(
        "SELECT file_name, file_sha256 FROM raw.ingested_files WHERE table_name = ?", [spec.name]).fetchall()}
    for lf, winner in inv.superseded(spec.name):
        if known.get(_stat_key(lf)):
            continue
        scan = scanner.get(lf.path)
        if (lf.rel, scan.sha256) in recorded:  # loaded once, then replaced by the winner: already recorded
            _remember_stat(con, spec, lf, scan)
            continue
        res = FileResult(spec.name, lf.rel, scan.sha256, lf.delivery_key, status="superseded", size=scan.size,
                         message=f"superseded by {winner.rel} (a later version of the same delivery)")
        con.execute("DELETE FROM raw.ingested_files WHERE table_name = ? AND file_name = ? AND status = "
                    "'superseded'", [spec.name, lf.rel])
        _record(con, spec, res, lf, ingested_at)
        results.append(res)


def insert_rows(con, table: str, rows: list[tuple], width: int, select: str = "*") -> None:
    """Insert Python rows in one set-based statement, through Arrow (``executemany`` binds row by row: ~0.3 s
    for the 600 entries of a landing inventory). ``select`` maps the columns ``c0``..``c{width-1}``."""
    if not rows:
        return
    import pyarrow as pa

    columns = list(zip(*rows))
    arrow = pa.table({f"c{i}": pa.array(list(columns[i])) for i in range(width)})  # noqa: F841 (read by DuckDB)
    con.execute(f"INSERT INTO {table} SELECT {select} FROM arrow")


def _remember_stat(con, spec, lf: LandingFile, scan: ByteScan) -> None:
    """The same content under a new modification time: remember the new stat, so it is not hashed again."""
    con.execute("UPDATE raw.ingested_files SET file_mtime_ns = ?, file_ctime_ns = ?, file_size = ? "
                "WHERE table_name = ? AND file_name = ? AND file_sha256 = ?",
                [lf.mtime_ns, lf.ctime_ns, scan.size, spec.name, lf.rel, scan.sha256])


def record_inventory(con, inv: Inventory, seen_at: datetime) -> None:
    """``raw.landing_inventory``: the landing folder as this ingestion saw it (every entry and its role)."""
    rows = []
    for f in inv.files:
        known = f.source in SOURCES
        if f.status != "candidate":
            rows.append((f.rel, f.source, known, None, None, None, f.size, f.status, f.reason, seen_at))
            continue
        for t in f.tables:
            winner = inv.deliveries[t][f.delivery_key][0]
            role = "in_force" if winner is f else "superseded"
            reason = "" if winner is f else f"superseded by {winner.rel}"
            rows.append((f.rel, f.source, known, t, f.delivery_key, ".".join(map(str, f.version)).rstrip("."), f.size, role,
                         reason, seen_at))
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM raw.landing_inventory")
    insert_rows(con, "raw.landing_inventory", rows, 10)
    con.execute("COMMIT")


def ingest_landing(con, landing: Path, tables: list[str] | None = None, on_file=None) -> IngestReport:
    """Ingest every landing table (or only ``tables``) found under ``landing``."""
    create_raw_schema(con)
    inv = inventory(landing)
    ingested_at = datetime.now(timezone.utc)
    record_inventory(con, inv, ingested_at)
    report = IngestReport(unknown_files=[f.rel for f in inv.files if f.status != "candidate"])
    scanner = _Scanner()
    try:
        for s in SPECS:
            if tables and s.name not in tables:
                continue
            report.results.extend(ingest_table(con, s, inv, ingested_at, scanner, on_file))
    finally:
        scanner.close()
    return report
