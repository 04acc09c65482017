"""Expectation suites as data: ``expectations/<name>.json``, one per landing table and per published table.

A suite names the asset it guards and lists expectations; each expectation says on which *batch* it runs
(a DataFrame the gate pulls from DuckDB, see ``batches.py``), its GX type and kwargs (the thresholds), its
severity (``error`` blocks publication, ``warning`` is reported) and, in ``meta``, what a failure means for
the business and what to do. Nothing about thresholds lives in the code.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Expectation:
    id: str  # stable, short: the name a finding and an override (--accept) refer to
    batch: str
    type: str
    kwargs: dict
    severity: str
    meta: dict

    @property
    def label(self) -> str:
        col = self.kwargs.get("column") or ",".join(self.kwargs.get("column_list", []))
        return f"{self.type}({col})" if col else self.type


@dataclass(frozen=True)
class Suite:
    name: str
    asset: tuple[str, ...]
    kind: str  # landing | published
    table: str | None  # None: the landing folder as a whole
    description: str
    expectations: tuple[Expectation, ...] = field(default_factory=tuple)

    @property
    def batches(self) -> list[str]:
        return sorted({e.batch for e in self.expectations})

    @property
    def scope(self) -> str:
        """The first part of every finding id of the suite: the table, or ``folder``."""
        return self.table or "folder"


class SuiteError(ValueError):
    pass


def _applies_if() -> dict:
    from .batches import APPLIES_IF

    return APPLIES_IF


def load_suite(path: Path) -> Suite:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise SuiteError(f"{path.name}: not valid JSON ({e})") from None
    exps = []
    for i, e in enumerate(raw.get("expectations", [])):
        sev = e.get("severity", "error")
        if sev not in SEVERITIES:
            raise SuiteError(f"{path.name}: expectation {i} has severity {sev!r} (error or warning)")
        meta = e.get("meta", {})
        if meta.get("applies_if") and meta["applies_if"] not in _applies_if():
            raise SuiteError(f"{path.name}: expectation {i} applies_if {meta['applies_if']!r} is not one of "
                             f"{sorted(_applies_if())} (dagster_project/quality/batches.py)")
        if not meta.get("means") or not meta.get("action"):
            raise SuiteError(f"{path.name}: expectation {i} ({e.get('type')}) must say in meta what a failure "
                             "'means' for the business and which 'action' to take")
        if not e.get("id") or any(x.id == e["id"] for x in exps):
            raise SuiteError(f"{path.name}: expectation {i} ({e.get('type')}) needs an id of its own")
        exps.append(Expectation(e["id"], e["batch"], e["type"], e.get("kwargs", {}), sev, meta))
    return Suite(raw["name"], tuple(raw["asset"]), raw["kind"], raw.get("table"), raw.get("description", ""),
                 tuple(exps))


def load_suites(directory: Path = EXPECTATIONS_DIR) -> list[Suite]:
    return [load_suite(p) for p in sorted(directory.glob("*.json"))]
