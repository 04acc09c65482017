"""What people read is in French: no published page or PDF shows a code that the seed ref_labels labels (an
EP-3.2 subgroup, a status, a comparison, a quarantine rule or severity, a reference-document code) nor an English
phrase of the code base. Run on the shared fresh publication of the gate tests (every must-publish scenario:
quarantined lines, odd encodings, closing structures...), so that the quality pages and the report's quality
section have something to say.

Text an engineer needs in English (the gate's technical explanation) is allowed only inside an element marked
``lang="en"``, which is taken out before the search (screen readers read it as English too)."""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Codes shown to nobody: every code of these domains of seeds/ref_labels.csv (whole words). Scope types and
# statuses that are also French words (region, final) are left out; `scope_type` codes are checked in upper case
# only where they are labels already (DAC, CPTS, ESMS).
CODE_DOMAINS = ("subgroup", "status", "comparison", "severity", "rule", "reference_document", "attainment")
NOT_CODES = {"final"}          # « final » is French as well

# English phrases met in earlier publications and in the code's messages.
ENGLISH = ("same tier as", "applies from", "restated by", "is not a date", "rulebook", "an indicator moved",
           "no percentage", "fiche only", "no data", "not met", "target met", "provisional", "quarantined",
           "more than", "the guide", "is required", " warning ", " overrides ", " the ", " of the ", " and the ",
           " is not ", " with ")


def labelled_codes() -> set[str]:
    with open(REPO / "seeds" / "ref_labels.csv", encoding="utf-8") as f:
        return {r["code"] for r in csv.DictReader(f, delimiter=";")
                if r["domain"] in CODE_DOMAINS and r["code"] not in NOT_CODES}


class _Visible(HTMLParser):
    """The text a reader sees: no script or style, nothing inside an element with lang="en"."""

    VOID = {"br", "img", "meta", "link", "input", "hr", "wbr", "source", "col", "area", "base", "embed"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def hidden(self) -> bool:
        return any(h for _, h in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        self.stack.append((tag, tag in ("script", "style") or (a.get("lang") or "").startswith("en")))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self.hidden():
            self.parts.append(data)
        # attributes (title, aria-label) are read too
    def handle_startendtag(self, tag, attrs):
        pass


def visible_text(page: Path) -> str:
    p = _Visible()
    p.feed(page.read_text(encoding="utf-8"))
    return " ".join(" ".join(p.parts).split())


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-q", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def offences(text: str, codes: set[str]) -> list[str]:
    found = [c for c in codes if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]
    low = f" {text.lower()} "
    found += [e.strip() for e in ENGLISH if e in low]
    return sorted(set(found))


def test_published_pages_and_pdfs_say_everything_in_french(fresh_published):
    paths, rc = fresh_published
    assert rc == 0
    codes = labelled_codes()
    assert {"SAN_HAD_USLD", "provisional", "rejected", "missing_required", "gte"} <= codes
    folder = paths.published
    pages = sorted((folder / "dashboard").rglob("*.html")) + sorted((folder / "quality").glob("*.html"))
    assert len(pages) > 3
    bad = {str(p.relative_to(folder)): o for p in pages if (o := offences(visible_text(p), codes))}
    if shutil.which("pdftotext") is not None:
        pdfs = sorted((folder / "rapports").glob("*.pdf")) + sorted((folder / "cnsa").rglob("*.pdf"))
        assert pdfs
        bad |= {str(p.relative_to(folder)): o for p in pdfs if (o := offences(pdf_text(p), codes))}
    assert not bad, bad


def test_the_search_finds_a_code_and_an_english_phrase():
    """The check itself can fail: a code in a word boundary and an English phrase are found, a code inside a
    longer identifier is not."""
    codes = {"SAN_HAD_USLD", "rejected", "gte"}
    assert offences("Sous-groupe SAN_HAD_USLD : 60 %", codes) == ["SAN_HAD_USLD"]
    assert offences("ligne rejected, same tier as before", codes) == ["rejected", "same tier as"]
    assert offences("EP-3.2 — Sanitaire : HAD et USLD, au moins 60 %", codes) == []
    assert offences("voir dbt.delivery_volumes.rejected_share", codes) == []
