"""Writing landing files: ``;``-separated CSV (``|`` for the MSSanté annuaire), one header row, ``"``
quoting only where a value needs it, UTF-8, ``\\n`` line ends, null = empty field.

Lines are assembled with Arrow compute (one ``binary_join_element_wise`` per chunk) and the resulting
string buffer is written as is, so writing costs no Python work per row.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

CHUNK_ROWS = 262_144


def quote_needed(arr: pa.Array, delimiter: str) -> pa.Array:
    """Quote (RFC 4180) the values containing the delimiter, a quote or a line break."""
    if not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    pattern = "[" + ("\\|" if delimiter == "|" else delimiter) + '"\r\n]'
    needs = pc.match_substring_regex(arr, pattern)
    if not pc.any(needs).as_py():
        return arr
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, arr)


def header_line(columns: Sequence[str], delimiter: str) -> str:
    out = []
    for c in columns:
        if delimiter in c or '"' in c or "\n" in c:
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return delimiter.join(out) + "\n"


def _write_lines(f, cols: list[pa.Array], delimiter: str) -> None:
    n = len(cols[0])
    for start in range(0, n, CHUNK_ROWS):
        part = [c.slice(start, CHUNK_ROWS) for c in cols]
        lines = pc.binary_join_element_wise(*part, delimiter, null_handling="replace", null_replacement="")
        lines = pc.binary_join_element_wise(lines, "", "\n")
        if isinstance(lines, pa.ChunkedArray):
            lines = lines.combine_chunks()
        offsets = lines.buffers()[1]
        data = lines.buffers()[2]
        off = memoryview(offsets).cast("i")
        first, last = off[lines.offset], off[lines.offset + len(lines)]
        f.write(memoryview(data)[first:last])


def write_csv(path: Path, columns: Sequence[str], batches: Iterable[Sequence[pa.Array]], delimiter: str = ";") -> int:
    """Write one landing CSV from batches of columns (one batch or many slices); returns the data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "wb") as f:
        f.write(header_line(columns, delimiter).encode("utf-8"))
        for arrays in batches:
            if len(columns) != len(arrays):
                raise ValueError(f"{path.name}: {len(columns)} columns but {len(arrays)} arrays")
            rows = len(arrays[0]) if arrays else 0
            for name, a in zip(columns, arrays):
                if len(a) != rows:
                    raise ValueError(f"{path.name}: column {name} has {len(a)} rows, expected {rows}")
            if rows:
                _write_lines(f, [quote_needed(a, delimiter) for a in arrays], delimiter)
            n += rows
    return n


def write_sections(path: Path, first_line: str, sections: Sequence[Sequence[pa.Array]], delimiter: str = ";") -> None:
    """Write a header-less multi-section file (the FINESS etalab layout): a first line, then each section's rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write((first_line + "\n").encode("utf-8"))
        for arrays in sections:
            if arrays and len(arrays[0]):
                _write_lines(f, [quote_needed(a, delimiter) for a in arrays], delimiter)
