"""The exact reader: a CSV file parsed line by line in Python with the physical line number of every record.

The ingestion reads files with DuckDB's CSV reader (fast, parallel). When its result does not account for
every physical line of the file (a quoted field holding a line break, a blank line, a quote opened and never
closed that swallows the rest of the file), the file is read again here:

- a record spanning several physical lines is kept only when its quotes close within a few lines, it has
  exactly the header's number of fields, and none of the lines it swallowed is a complete record on its own
  (a real multi-line comment); its line number is the line it starts on;
- otherwise the line that opened the quote is quarantined (``unbalanced_quote``) and the following lines are
  read on their own: one bad character costs one row, not the rest of the file;
- blank lines are counted; lines with too few / too many fields are quarantined with their raw text;
- a last line without its newline is marked, so that a value cut by a truncated transfer is flagged.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field

MAX_JOIN = 50  # a quoted value may span at most this many physical lines


@dataclass
class Parsed:
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (physical line, fields)
    bad: list[tuple[int, str, str, str]] = field(default_factory=list)  # (line, raw line, rule, reason)
    blank: list[int] = field(default_factory=list)
    continuation: int = 0  # lines that continue a quoted value started on an earlier line
    physical_lines: int = 0


def _parse_one(text: str, delimiter: str) -> list[str] | None:
    """The fields of one CSV record, or None when its quoting is broken."""
    try:
        rows = list(csv.reader([text], delimiter=delimiter, quotechar='"', doublequote=True, strict=True))
    except csv.Error:
        return None
    return rows[0] if rows else []


def _unclosed(text: str, delimiter: str) -> bool:
    try:
        list(csv.reader([text], delimiter=delimiter, quotechar='"', doublequote=True, strict=True))
    except csv.Error as e:
        return "unexpected end of data" in str(e)
    return False


def split_lines(text: str) -> list[str]:
    """Physical lines (``\\n`` separated, a trailing ``\\r`` removed); a final newline ends the last line."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def parse_exact(text: str, delimiter: str, n_fields: int | None = None) -> Parsed:
    lines = split_lines(text)
    ends_with_newline = text.endswith("\n")
    header = _parse_one(lines[0], delimiter) if lines else []
    out = Parsed(header=[h.strip() for h in (header or [])], physical_lines=len(lines))
    n = n_fields or len(out.header)
    last = len(lines)
    i = 1
    while i < len(lines):
        ln = i + 1
        line = lines[i]
        if not line.strip():
            out.blank.append(ln)
            i += 1
            continue
        fields = _parse_one(line, delimiter)
        if fields is None and _unclosed(line, delimiter):
            joined = None
            for j in range(i + 1, min(i + MAX_JOIN, len(lines))):
                candidate = "\n".join(lines[i:j + 1])
                if _unclosed(candidate, delimiter):
                    continue
                parsed = _parse_one(candidate, delimiter)
                swallowed_records = any(
                    (f := _parse_one(lines[k], delimiter)) is not None and len(f) == n for k in range(i + 1, j + 1))
                if parsed is not None and len(parsed) == n and not swallowed_records:
                    joined = (parsed, j)
                break
            if joined:
                out.rows.append((ln, joined[0]))
                out.continuation += joined[1] - i
                i = joined[1] + 1
                continue
            out.bad.append((ln, line, "unbalanced_quote",
                            "a quoted value opened on this line is never closed: the line is set aside and the "
                            "following lines are read on their own"))
            i += 1
            continue
        if fields is None:
            out.bad.append((ln, line, "malformed_line",
                            "the line cannot be split into the header's columns: a quote is misplaced"))
        elif len(fields) == n:
            out.rows.append((ln, fields))
        elif len(fields) < n and ln == last and not ends_with_newline:
            out.bad.append((ln, line, "truncated_line",
                            f"the last line is truncated: {len(fields)} of {n} fields and no final newline"))
        elif len(fields) < n:
            out.bad.append((ln, line, "missing_fields", f"the line has {len(fields)} fields, the header {n}"))
        else:
            out.bad.append((ln, line, "too_many_fields", f"the line has {len(fields)} fields, the header {n}"))
        i += 1
    return out
