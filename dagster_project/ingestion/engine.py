"""Load landing files into schema ``raw`` with DuckDB's own CSV reader.

One call per landing table (``ingest_table``) does, for each of its files, in delivery order:

1. hash the file (SHA-256); a file already ingested for that table is skipped (idempotent);
2. detect the encoding (UTF-8, UTF-8 with BOM, else Windows-1252, transcoded to a temporary UTF-8 copy);
3. refuse the whole file, with its name and the reason, when it cannot be read (empty, wrong separator,
   missing required column, bad FINESS etalab marker line); other files still load;
4. read it with ``read_csv`` (all columns as text, ``store_rejects`` for lines DuckDB cannot split);
5. check every row against the rules of its ``TableSpec`` in one set-based query; rows breaking a
   ``reject`` rule go to ``raw.quarantine`` (severity ``rejected``), values breaking a ``flag`` rule are
   loaded and recorded (severity ``flagged``); a repeated business key is rejected (``duplicate_key``);
6. replace the rows of the same delivery key (a month re-delivered, a snapshot date re-sent), in one
   transaction, and record the file in ``raw.ingested_files``.

No Python loop touches the rows: Python only builds SQL and streams bytes for hashing/transcoding.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from .specs import LINEAGE_COLUMNS, SPECS, TableSpec, create_raw_schema

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
CHUNK = 1 << 20

# Regular expressions used by the row rules (DuckDB RE2 syntax).
RE_DATE = r"^\d{4}-\d{2}-\d{2}$"
RE_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$"
RE_INT = r"^[+-]?\d+$"
RE_DECIMAL = r"^[+-]?\d+([.,]\d+)?$"


class FileRefused(Exception):
    """The whole file cannot be read; the message says why in one sentence."""


@dataclass
class FileResult:
    table: str
    file: str
    sha256: str = ""
    delivery_key: str | None = None
    encoding: str | None = None
    status: str = "loaded"  # loaded | unchanged | refused | replaced
    rows_loaded: int = 0
    rows_rejected: int = 0
    values_flagged: int = 0
    message: str = ""

    def line(self) -> str:
        if self.status == "refused":
            return f"REFUSED  {self.file}: {self.message}"
        if self.status == "unchanged":
            return f"unchanged {self.file} (already ingested)"
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


# --------------------------------------------------------------------------- discovery


def _file_order(p: Path):
    st = p.stat()
    return (st.st_mtime_ns, p.name)


def discover(landing: Path) -> tuple[dict[str, list[tuple[Path, str]]], list[str]]:
    """Map each table to its files ``(path, delivery_key)`` in delivery order, and list unknown files.

    Delivery order is modification time then name: a re-delivered month (``x_2024-03_v2.csv``) written
    after the first delivery replaces it. Hidden files and folders are ignored.
    """
    by_table: dict[str, list[tuple[Path, str]]] = {s.name: [] for s in SPECS}
    unknown: list[str] = []
    for path in sorted(landing.rglob("*")):
        rel = path.relative_to(landing)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        source = rel.parts[0] if len(rel.parts) > 1 else ""
        matched = False
        for s in SPECS:
            if s.source != source:
                continue
            key = s.match(path.name)
            if key is not None:
                by_table[s.name].append((path, key))
                matched = True
        if not matched:
            unknown.append(str(rel))
    for files in by_table.values():
        files.sort(key=lambda pk: _file_order(pk[0]))
    return by_table, unknown


# --------------------------------------------------------------------------- bytes level


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def detect_encoding(path: Path) -> str:
    """``utf-8``, ``utf-8-sig`` (BOM) or ``cp1252`` (any file that is not valid UTF-8)."""
    with open(path, "rb") as f:
        head = f.read(3)
        f.seek(0)
        dec = codecs.getincrementaldecoder("utf-8")()
        try:
            for chunk in iter(lambda: f.read(CHUNK), b""):
                dec.decode(chunk)
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"


def transcode_to_utf8(path: Path, encoding: str, tmpdir: Path) -> Path:
    """Copy a Windows-1252 file as UTF-8 (bytes undefined in cp1252 fall back to Latin-1)."""
    out = tmpdir / (path.name + ".utf8")
    with open(path, "rb") as src, open(out, "w", encoding="utf-8", newline="") as dst:
        data = src.read()
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        dst.write(text)
    return out


def read_first_line(path: Path) -> str:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return f.readline().rstrip("\r\n")


# --------------------------------------------------------------------------- SQL helpers


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_seed_cache: dict[str, list[str]] = {}


def seed_codes(seed: str) -> list[str]:
    """Codes of a code-list seed (``seeds/<seed>.csv``, first column)."""
    if seed not in _seed_cache:
        with open(SEEDS_DIR / f"{seed}.csv", encoding="utf-8") as f:
            rows = list(csv.reader(f, delimiter=";"))
        _seed_cache[seed] = [r[0] for r in rows[1:] if r]
    return _seed_cache[seed]


FINESS_SQL = """(
    CASE WHEN regexp_full_match({c}, '(\\d{{2}}|2[AB])\\d{{7}}') THEN
        list_sum(list_transform(range(1, 10), lambda i:
            CASE WHEN i % 2 = 0
                 THEN (2 * CAST(replace(replace(substr({c}, i, 1), 'A', '0'), 'B', '0') AS INTEGER)) // 10
                    + (2 * CAST(replace(replace(substr({c}, i, 1), 'A', '0'), 'B', '0') AS INTEGER)) % 10
                 ELSE CAST(replace(replace(substr({c}, i, 1), 'A', '0'), 'B', '0') AS INTEGER) END)) % 10 = 0
    ELSE false END
)"""

INS_SQL = """(
    CASE WHEN regexp_full_match({c}, '[1-8]\\d{{4}}(\\d{{2}}|2[AB])\\d{{8}}') THEN
        97 - (CAST(replace(replace(substr({c}, 1, 13), '2A', '19'), '2B', '18') AS HUGEINT) % 97)
            = CAST(substr({c}, 14, 2) AS INTEGER)
    ELSE false END
)"""


def finess_ok(col_sql: str) -> str:
    return FINESS_SQL.format(c=col_sql)


def ins_ok(col_sql: str) -> str:
    return INS_SQL.format(c=col_sql)


def rule_check(col) -> tuple[str, str, str] | None:
    """(sql predicate that is TRUE when the non-empty value is valid, rule id, reason prefix)."""
    c = q(col.name)
    r = col.rule
    if r == "text":
        return None
    if r == "date":
        return (f"(regexp_full_match({c}, '{RE_DATE[1:-1]}') AND try_strptime({c}, '%Y-%m-%d') IS NOT NULL)",
                "bad_date", "is not a date YYYY-MM-DD")
    if r == "timestamp":
        return (f"(regexp_full_match({c}, '{RE_TIMESTAMP[1:-1]}') AND try_cast({c} AS TIMESTAMPTZ) IS NOT NULL)",
                "bad_timestamp", "is not an ISO 8601 timestamp with offset")
    if r == "int":
        return (f"regexp_full_match({c}, '{RE_INT[1:-1]}')", "bad_integer", "is not an integer")
    if r == "decimal":
        return (f"regexp_full_match({c}, '{RE_DECIMAL[1:-1]}')", "bad_decimal", "is not a number")
    if r == "finess":
        return (finess_ok(c), "bad_finess", "is not a valid FINESS number (9 characters, Luhn check digit)")
    if r == "ins":
        return (ins_ok(c), "bad_ins", "is not a valid INS/NIR (15 characters, key 97 - n mod 97)")
    if r == "rpps":
        return (f"regexp_full_match({c}, '\\d{{11}}')", "bad_rpps", "is not an RPPS number (11 digits)")
    if r == "siret":
        return (f"regexp_full_match({c}, '\\d{{14}}')", "bad_siret", "is not a SIRET number (14 digits)")
    if r == "galis":
        return (f"regexp_full_match({c}, '\\d{{8}}')", "bad_galis", "is not a GALIS reference (8 digits)")
    if r == "enum":
        values = ", ".join(lit(v) for v in col.values)
        return (f"{c} IN ({values})", "unknown_code", f"is not one of {', '.join(col.values)}")
    if r == "codelist":
        values = ", ".join(lit(v) for v in seed_codes(col.codelist))
        return (f"{c} IN ({values})", "unknown_code", f"is not in the code list {col.codelist}")
    raise ValueError(f"unknown rule {r!r} for column {col.name}")


# --------------------------------------------------------------------------- reading one file


def _read_csv_sql(path: Path, header_cols: list[str], delimiter: str, scan: str) -> str:
    cols = "{" + ", ".join(f"{lit(c)}: 'VARCHAR'" for c in header_cols) + "}"
    return (
        f"read_csv({lit(str(path))}, delim={lit(delimiter)}, quote='\"', escape='\"', header=true, "
        f"auto_detect=false, columns={cols}, strict_mode=true, store_rejects=true, "
        f"rejects_table='{scan}_errors', rejects_scan='{scan}_scans', max_line_size=10000000)"
    )


def _load_csv(con, spec: TableSpec, path: Path, file_label: str) -> list[str]:
    """Read a headed CSV into temp table ``_stage`` (+ ``_ord``, ``_line``); return the header."""
    header_line = read_first_line(path)
    if not header_line.strip():
        raise FileRefused("the file is empty (no header line)")
    header = next(csv.reader(io.StringIO(header_line), delimiter=spec.delimiter, quotechar='"'))
    header = [h.strip() for h in header]
    if len(header) == 1 and spec.delimiter not in header_line:
        seps = [s for s in (",", "\t", "|", ";") if s in header_line and s != spec.delimiter]
        hint = f" (found {seps[0]!r} instead)" if seps else ""
        raise FileRefused(f"wrong separator: expected {spec.delimiter!r}{hint}")
    lowered = {h.lower(): h for h in header}
    missing = [c for c in spec.required_columns if c.lower() not in lowered]
    if missing:
        raise FileRefused(f"missing required column(s): {', '.join(missing)}")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise FileRefused(f"duplicated column name(s) in the header: {', '.join(dupes)}")

    con.execute("DROP TABLE IF EXISTS _stage")
    # the rejects tables accumulate across scans of one connection: start each file with empty ones
    con.execute("DROP TABLE IF EXISTS _ing_errors")
    con.execute("DROP TABLE IF EXISTS _ing_scans")
    con.execute(
        f"CREATE TEMP TABLE _stage AS SELECT *, row_number() OVER () AS _ord "
        f"FROM {_read_csv_sql(path, header, spec.delimiter, '_ing')}"
    )
    # Physical line numbers: data lines start at 2; lines DuckDB rejected are taken out of the sequence.
    n_ok = con.execute("SELECT count(*) FROM _stage").fetchone()[0]
    con.execute("DROP TABLE IF EXISTS _rejects")
    con.execute(
        "CREATE TEMP TABLE _rejects AS SELECT line::BIGINT AS line, any_value(error_type::VARCHAR) AS error_type, "
        "any_value(csv_line) AS csv_line, any_value(error_message) AS error_message "
        "FROM _ing_errors GROUP BY line"
    )
    n_bad = con.execute("SELECT count(*) FROM _rejects").fetchone()[0]
    con.execute("ALTER TABLE _stage ADD COLUMN _line BIGINT")
    if n_bad:
        con.execute(
            f"""UPDATE _stage SET _line = m.line FROM (
                   SELECT l AS line, row_number() OVER (ORDER BY l) AS ord
                   FROM range(2, {2 + n_ok + n_bad}) t(l) WHERE l NOT IN (SELECT line FROM _rejects)
               ) m WHERE m.ord = _stage._ord"""
        )
    else:
        con.execute("UPDATE _stage SET _line = _ord + 1")
    last_line = 1 + n_ok + n_bad
    con.execute(
        f"""INSERT INTO _quar SELECT NULL, line, NULL, csv_line,
                CASE WHEN error_type = 'MISSING COLUMNS' AND line = {last_line} THEN 'truncated_line'
                     WHEN error_type = 'MISSING COLUMNS' THEN 'missing_fields'
                     WHEN error_type = 'TOO MANY COLUMNS' THEN 'too_many_fields'
                     ELSE 'malformed_line' END,
                CASE WHEN error_type = 'MISSING COLUMNS' AND line = {last_line}
                     THEN 'the last line is truncated: ' || error_message
                     ELSE 'the line cannot be split into the header''s columns: ' || error_message END,
                'rejected'
            FROM _rejects"""
    )
    # rename header columns to their contract spelling (case-insensitive match)
    spec_by_lower = {c.lower(): c for c in spec.column_names}
    for h in header:
        target = spec_by_lower.get(h.lower())
        if target and target != h:
            con.execute(f"ALTER TABLE _stage RENAME COLUMN {q(h)} TO {q(target)}")
    return header


def _load_finess_etalab(con, spec: TableSpec, path: Path) -> list[str]:
    """The etalab FINESS stock file: marker line, no header, mixed ``structureet``/``geolocalisation``."""
    first = read_first_line(path)
    if not first.strip():
        raise FileRefused("the file is empty")
    if not first.lower().startswith("finess;etalab;"):
        raise FileRefused(f"line 1 is not the etalab marker 'finess;etalab;<n>;<date>' (found {first[:60]!r})")
    section = spec.columns[0].values[0]  # structureet | geolocalisation
    n_fields = len(spec.columns)
    con.execute("DROP TABLE IF EXISTS _lines")
    con.execute(
        f"""CREATE TEMP TABLE _lines AS
            SELECT row_number() OVER () AS _line, line, string_split(line, ';') AS f
            FROM read_csv({lit(str(path))}, delim='\x1f', quote='', escape='', header=false,
                          auto_detect=false, columns={{'line': 'VARCHAR'}}, max_line_size=10000000)"""
    )
    last_line = con.execute("SELECT max(_line) FROM _lines").fetchone()[0]
    sel = ", ".join(f"nullif(f[{i + 1}], '') AS {q(c)}" for i, c in enumerate(spec.column_names))
    con.execute("DROP TABLE IF EXISTS _stage")
    con.execute(
        f"""CREATE TEMP TABLE _stage AS SELECT {sel}, _line, _line AS _ord FROM _lines
            WHERE _line > 1 AND f[1] = '{section}' AND len(f) = {n_fields}"""
    )
    con.execute(
        f"""INSERT INTO _quar SELECT NULL, _line, NULL, line,
               CASE WHEN _line = {last_line} THEN 'truncated_line' ELSE 'wrong_field_count' END,
               format('a {section} line must have {n_fields} fields, found {{}}', len(f)), 'rejected'
            FROM _lines WHERE _line > 1 AND f[1] = '{section}' AND len(f) <> {n_fields}"""
    )
    if spec.name == "finess_structures":  # report unknown sections once (on the structures table)
        con.execute(
            """INSERT INTO _quar SELECT NULL, _line, NULL, line, 'unknown_section',
                   format('line type {} is neither structureet nor geolocalisation', f[1]), 'rejected'
               FROM _lines WHERE _line > 1 AND f[1] NOT IN ('structureet', 'geolocalisation')"""
        )
    return spec.column_names


# --------------------------------------------------------------------------- checking rows


def _check_rows(con, spec: TableSpec) -> None:
    """Fill ``_quar`` with one row per broken rule (rows with a ``rejected`` one are not loaded)."""
    stage_cols = {r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE _stage)").fetchall()}
    parts = []
    for col in spec.columns:
        c = q(col.name)
        if col.name not in stage_cols:  # optional column absent from this file: treat as empty
            con.execute(f"ALTER TABLE _stage ADD COLUMN {c} VARCHAR")
        if col.required:
            parts.append(
                f"""SELECT _line, {lit(col.name)}, NULL, 'missing_required',
                       '{col.name} is required and empty', 'rejected' FROM _stage WHERE {c} IS NULL
                       OR trim({c}) = ''"""
            )
        chk = rule_check(col)
        if chk:
            pred, rule, reason = chk
            sev = "rejected" if col.on_error == "reject" else "flagged"
            parts.append(
                f"""SELECT _line, {lit(col.name)}, {c}, '{rule}',
                       {lit(col.name)} || ' = ''' || {c} || ''' ' || {lit(reason)}, '{sev}'
                    FROM _stage WHERE {c} IS NOT NULL AND trim({c}) <> '' AND NOT coalesce({pred}, false)"""
            )
    if spec.key:
        keys = ", ".join(q(k) for k in spec.key)
        label = " + ".join(spec.key)
        parts.append(
            f"""SELECT _line, {lit(label)}, concat_ws(' | ', {keys}), 'duplicate_key',
                   format('{label} repeats the row of line {{}}', first_line), 'rejected'
                FROM (SELECT _line, {keys}, first_value(_line) OVER (PARTITION BY {keys} ORDER BY _line) AS first_line
                      FROM _stage) WHERE _line <> first_line"""
        )
    if parts:  # one scan of the file's rows for all the rules
        con.execute("INSERT INTO _quar SELECT NULL, * FROM (" + "\nUNION ALL\n".join(parts) + ")")


# --------------------------------------------------------------------------- one table


def _ensure_state(con) -> None:
    create_raw_schema(con)


def ingest_file(con, spec: TableSpec, path: Path, delivery_key: str, landing: Path,
                ingested_at: datetime | None = None) -> FileResult:
    ingested_at = ingested_at or datetime.now(timezone.utc)
    rel = str(path.relative_to(landing)) if landing in path.parents else path.name
    res = FileResult(spec.name, rel, delivery_key=delivery_key)
    res.sha256 = sha256_of(path)
    # the same content already ingested for the same delivery (month or snapshot date): nothing to do.
    # (Two months may carry byte-identical snapshots: the delivery key is part of the identity.)
    seen = con.execute(
        "SELECT status FROM raw.ingested_files WHERE table_name = ? AND file_sha256 = ? AND delivery_key = ? "
        "AND status <> 'refused'",
        [spec.name, res.sha256, delivery_key],
    ).fetchone()
    if seen:
        res.status = "unchanged"
        return res

    con.execute("DROP TABLE IF EXISTS _quar")
    con.execute(
        "CREATE TEMP TABLE _quar (seq BIGINT, line_number BIGINT, column_name VARCHAR, value VARCHAR, "
        "rule VARCHAR, reason VARCHAR, severity VARCHAR)"
    )
    with tempfile.TemporaryDirectory(prefix="eparcours_ingest_") as tmp:
        try:
            if path.stat().st_size == 0:
                raise FileRefused("the file is empty")
            res.encoding = detect_encoding(path)
            readable = path if res.encoding != "cp1252" else transcode_to_utf8(path, "cp1252", Path(tmp))
            if spec.layout == "finess_etalab":
                header = _load_finess_etalab(con, spec, readable)
            else:
                header = _load_csv(con, spec, readable, rel)
            _check_rows(con, spec)
        except FileRefused as e:
            res.status = "refused"
            res.message = str(e)
            _record_refusal(con, spec, res, ingested_at)
            return res
        except (duckdb.InvalidInputError, duckdb.ConversionException, UnicodeError, OSError) as e:
            # DuckDB's CSV reader could not read the file at all (bad quoting, binary content, ...)
            res.status = "refused"
            res.message = f"unreadable CSV: {str(e).splitlines()[0]}"
            _record_refusal(con, spec, res, ingested_at)
            return res

        extra_cols = [h for h in header if h.lower() not in {c.lower() for c in spec.column_names}]
        extra_sql = (
            "json_object(" + ", ".join(f"{lit(h)}, {q(h)}" for h in extra_cols) + ")" if extra_cols else "NULL::JSON"
        )
        business = ", ".join(q(c) for c in spec.column_names)
        con.execute("CREATE OR REPLACE TEMP TABLE _rejected_lines AS SELECT DISTINCT line_number FROM _quar "
                    "WHERE severity = 'rejected' AND line_number IS NOT NULL")
        con.execute("BEGIN TRANSACTION")
        try:
            previous = con.execute(
                "SELECT count(*) FROM raw.ingested_files WHERE table_name = ? AND delivery_key = ? AND status = 'loaded'",
                [spec.name, delivery_key],
            ).fetchone()[0]
            if previous:
                con.execute(f"DELETE FROM raw.{spec.name} WHERE _delivery_key = ?", [delivery_key])
                con.execute("DELETE FROM raw.quarantine WHERE table_name = ? AND delivery_key = ?",
                            [spec.name, delivery_key])
                con.execute(
                    "UPDATE raw.ingested_files SET status = 'replaced', message = ? "
                    "WHERE table_name = ? AND delivery_key = ? AND status = 'loaded'",
                    [f"replaced by {rel}", spec.name, delivery_key],
                )
                res.message = f"replaces the earlier delivery of {delivery_key}"
            con.execute(
                f"""INSERT INTO raw.{spec.name} ({business}, {', '.join(n for n, _ in LINEAGE_COLUMNS)})
                    SELECT {', '.join(f'nullif(trim({q(c)}), {lit("")})' for c in spec.column_names)},
                           ?, ?, ?, _line, ?, {extra_sql}
                    FROM _stage WHERE _line NOT IN (SELECT line_number FROM _rejected_lines) ORDER BY _line""",
                [delivery_key, rel, res.sha256, ingested_at],
            )
            con.execute(
                """INSERT INTO raw.quarantine SELECT ?, ?, ?, ?, line_number, column_name, value, rule, reason,
                          severity, ?, ? FROM _quar ORDER BY line_number, column_name""",
                [spec.source, spec.name, rel, res.sha256, delivery_key, ingested_at],
            )
            res.rows_loaded = con.execute(
                "SELECT count(*) FROM _stage WHERE _line NOT IN (SELECT line_number FROM _rejected_lines)"
            ).fetchone()[0]
            res.rows_rejected = con.execute(
                "SELECT count(DISTINCT line_number) FROM _quar WHERE severity = 'rejected'"
            ).fetchone()[0]
            res.values_flagged = con.execute("SELECT count(*) FROM _quar WHERE severity = 'flagged'").fetchone()[0]
            _record(con, spec, res, ingested_at)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return res


def _record(con, spec: TableSpec, res: FileResult, ingested_at: datetime) -> None:
    con.execute(
        "INSERT INTO raw.ingested_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [spec.name, spec.source, res.delivery_key, res.file, res.sha256, None, res.encoding, res.rows_loaded,
         res.rows_rejected, res.values_flagged, res.status, res.message, ingested_at],
    )


def _record_refusal(con, spec: TableSpec, res: FileResult, ingested_at: datetime) -> None:
    already = con.execute(
        "SELECT 1 FROM raw.quarantine WHERE table_name = ? AND file_sha256 = ? AND severity = 'file_refused'",
        [spec.name, res.sha256],
    ).fetchone()
    if not already:
        con.execute(
            "INSERT INTO raw.quarantine VALUES (?, ?, ?, ?, NULL, NULL, NULL, 'file_refused', ?, 'file_refused', ?, ?)",
            [spec.source, spec.name, res.file, res.sha256, res.message, res.delivery_key, ingested_at],
        )
        _record(con, spec, res, ingested_at)


def ingest_table(con, spec: TableSpec, files: list[tuple[Path, str]], landing: Path) -> list[FileResult]:
    """Ingest the files of one landing table in delivery order (see ``discover``)."""
    _ensure_state(con)
    ingested_at = datetime.now(timezone.utc)
    return [ingest_file(con, spec, path, key, landing, ingested_at) for path, key in files]


def ingest_landing(con, landing: Path, tables: list[str] | None = None) -> IngestReport:
    """Ingest every landing table (or only ``tables``) found under ``landing``."""
    by_table, unknown = discover(landing)
    report = IngestReport(unknown_files=unknown)
    for s in SPECS:
        if tables and s.name not in tables:
            continue
        report.results.extend(ingest_table(con, s, by_table[s.name], landing))
    return report

