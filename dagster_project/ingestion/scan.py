"""One pass over the bytes of a landing file, independent of any CSV reader: its SHA-256, its physical lines,
whether it ends with a newline, whether it holds NUL bytes, and its byte-order mark.

The physical line count is what the ingestion's accounting is checked against (``engine``): every physical
line of a file is the header, a loaded row, a quarantined row or a counted blank line, whatever the CSV
reader made of it.
"""
from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

CHUNK = 4 << 20
# Every byte but the C0 controls (tab, CR and LF excepted) and DEL: what is left after deleting them is a
# control byte.
_NOT_CONTROL = bytes(range(0x20, 0x7F)) + b"\t\r\n" + bytes(range(0x80, 0x100))

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class ByteScan:
    sha256: str
    size: int
    newlines: int  # number of b"\n" bytes
    ends_with_newline: bool
    has_nul: bool
    has_control: bool  # a C0 control byte other than tab, CR, LF (NUL included), or DEL
    bom: str | None  # utf-8-sig | utf-16 | None

    @property
    def physical_lines(self) -> int:
        """Lines of the file: a last line without its newline counts; an empty file has none."""
        if self.size == 0:
            return 0
        return self.newlines + (0 if self.ends_with_newline else 1)


def scan_file(path: Path) -> ByteScan:
    h = hashlib.sha256()
    newlines = size = 0
    has_nul = has_control = False
    head = b""
    last = b""
    with open(path, "rb", buffering=0) as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            if not head:
                head = chunk[:4]
            h.update(chunk)
            newlines += chunk.count(b"\n")
            if not has_control and chunk.translate(None, _NOT_CONTROL):
                has_control = True
            has_nul = has_nul or (has_control and b"\0" in chunk)
            size += len(chunk)
            last = chunk[-1:]
    bom = next((enc for mark, enc in BOMS if head.startswith(mark)), None)
    if bom == "utf-16":  # every ASCII character of UTF-16 has a zero byte: the decoded text is checked instead
        has_nul, has_control = False, True
    return ByteScan(h.hexdigest(), size, newlines, last == b"\n", has_nul, has_control, bom)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()
