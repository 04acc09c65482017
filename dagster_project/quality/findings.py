"""The gate's results as people read them: one short block per blocking failure, one line per warning, and
the overrides applied (who, when, why, what). Read from the suite results the checks write
(``<home>/warehouse/quality/<suite>.json``), so the command line, the published quality report and the
manifest say the same thing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Failure:
    suite: str
    asset: str
    id: str  # expectation-level id: <scope>.<expectation id>
    severity: str
    means: str
    action: str
    observed: str
    findings: tuple[str, ...]
    sample: tuple[dict, ...]
    accepted: tuple[dict, ...]
    dbt_test: str = ""  # the name dbt generated for a dbt test (for engineers: dbt test --select <name>)


def load_results(quality_dir: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(quality_dir.glob("*.json"))]


def _scope(res: dict) -> str:
    name = res["suite"]
    if name.startswith("dbt."):  # dbt.<asset>: the ids are dbt.<model>.<test kind> (quality/dbt_tests.py)
        return "dbt"
    return name.split(".", 1)[1] if name.startswith(("landing.", "published.")) else name


def failures(results: list[dict], severity: str | None = None, include_accepted: bool = False) -> list[Failure]:
    out = []
    for res in results:
        for r in res["results"]:
            if r["success"] and not (include_accepted and r.get("accepted")):
                continue
            if severity and r["severity"] != severity:
                continue
            scope = _scope(res) if res["suite"] != "landing.folder" else "folder"
            out.append(Failure(res["suite"], r.get("asset") or res["asset"], f"{scope}.{r['id']}", r["severity"],
                               r["means"], r["action"], str(r["observed"]), tuple(r.get("findings") or ()),
                               tuple(s if isinstance(s, dict) else {"value": s} for s in r.get("sample") or ()),
                               tuple(r.get("accepted") or ()), r.get("dbt_test") or ""))
    return out


def overrides(results: list[dict]) -> list[dict]:
    """Every override that applied, with what it overrode (for the manifest and the quality report)."""
    out = []
    for res in results:
        for r in res["results"]:
            for a in r.get("accepted") or []:
                out.append({**a, "check": f"{res['suite']}:{r['id']}", "severity": r["severity"],
                            "means": r["means"], "observed": str(r["observed"]),
                            "findings": [f for f in r.get("findings") or []
                                         if a["id"] in (f, f.split("@", 1)[0])]})
    return out


def _fmt(v) -> str:
    if v is None:
        return "(empty)"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def _sample_line(s: dict) -> str:
    return ", ".join(f"{k} {_fmt(v)}" for k, v in s.items() if k != "id")


def refusal_blocks(results: list[dict], limit: int = 5) -> list[str]:
    """One short block per blocking failure: what, where, what it means, what to do, a sample, the override."""
    blocks = []
    for f in failures(results, "error"):
        if f.accepted and all(any(a["id"] in (x, f.id) for a in f.accepted) for x in f.findings):
            continue
        where = ", ".join(x.split("@", 1)[1] for x in f.findings if "@" in x)
        lines = [f"✗ {f.id}" + (f" — {where}" if where else "") + f" ({f.asset})",
                 f"  what it means: {f.means}",
                 f"  what to do:    {f.action}"]
        for s in f.sample[:limit]:
            lines.append(f"  · {_sample_line(s)}")
        if len(f.findings) > limit:
            lines.append(f"  · … {len(f.findings) - limit} more")
        if f.dbt_test:
            lines.append(f"  dbt test:      {f.dbt_test}")
        first = f.findings[0] if f.findings else f.id
        lines.append(f'  to publish anyway: eparcours run --accept {first} --reason "…"')
        blocks.append("\n".join(lines))
    return blocks


def warning_lines(results: list[dict]) -> list[str]:
    """One line per warning that did not block."""
    out = []
    for f in failures(results, "warning"):
        where = ", ".join(x.split("@", 1)[1] for x in f.findings[:3] if "@" in x)
        more = f" (+{len(f.findings) - 3})" if len(f.findings) > 3 else ""
        out.append(f"⚠ {f.id}{(' ' + where + more) if where else ''}: {f.means}")
    return out


def unused_accepts(results: list[dict], accepts: list[dict]) -> list[str]:
    """Accepted ids that matched no failure: they changed nothing."""
    used = {a["id"] for o in overrides(results) for a in [o]}
    return [a["id"] for a in accepts if a["id"] not in used]
