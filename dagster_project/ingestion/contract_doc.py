"""Render the landing contract (specs.py) as ``docs/landing.md``, so the page never drifts from the code.

    python -m dagster_project.ingestion.contract_doc > docs/landing.md
(tests/ingestion/test_contract_doc.py fails when the page is out of date.)
"""
from __future__ import annotations

from .specs import SOURCES, SPECS

RULES = {
    "text": "text", "date": "date `YYYY-MM-DD`", "timestamp": "ISO 8601 timestamp with offset",
    "int": "integer", "decimal": "number", "finess": "FINESS (Luhn key)", "ins": "INS/NIR (key 97)",
    "rpps": "RPPS (11 digits)", "siret": "SIRET (14 digits)", "galis": "GALIS ref (8 digits)",
}
KINDS = {
    "event_monthly": "monthly event file; a re-delivery of a month replaces it",
    "snapshot_monthly": "monthly snapshot (state at month end); a re-delivery replaces it",
    "snapshot_dated": "dated snapshot; every snapshot is kept with its extraction date",
}


def render_markdown() -> str:
    out = [
        "# Landing files: what the ingestion accepts",
        "",
        "Generated from `dagster_project/ingestion/specs.py` by "
        "`python -m dagster_project.ingestion.contract_doc` — do not edit by hand.",
        "",
        "A row breaking a rule marked **reject** is quarantined (`raw.quarantine`, severity `rejected`) and not "
        "loaded; a value breaking a rule marked **flag** is loaded and recorded (severity `flagged`). A repeated "
        "business key within one file is rejected (`duplicate_key`). Extra columns are kept in `_extra`; a "
        "missing required column refuses the file.",
        "",
    ]
    for source in SOURCES:
        out += [f"## `{source}/`", ""]
        for s in (s for s in SPECS if s.source == source):
            out += [f"### `raw.{s.name}`", "", s.description, "",
                    f"- file name: `{s.pattern}` — {KINDS[s.kind]}",
                    f"- separator `{s.delimiter}`" + (", etalab layout (marker line, no header)"
                                                       if s.layout == "finess_etalab" else ", header row"),
                    f"- business key: {', '.join(f'`{k}`' for k in s.key) or '—'}", "",
                    "| column | required | rule | on error |", "|---|---|---|---|"]
            for c in s.columns:
                if c.rule == "enum":
                    rule = "one of " + ", ".join(f"`{v}`" for v in c.values)
                elif c.rule == "codelist":
                    rule = f"code of seed `{c.codelist}`"
                else:
                    rule = RULES[c.rule]
                on_error = "—" if c.rule == "text" and not c.required else c.on_error
                out.append(f"| `{c.name}` | {'yes' if c.required else ''} | {rule} | {on_error} |")
            out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render_markdown(), end="")
