"""Expectation suites as data, one per landing table and per published table.

A suite names the asset it guards and lists expectations; each expectation says on which *batch* it runs
(a DataFrame the gate pulls from DuckDB, see ``batches.py``), its GX type and kwargs (the thresholds), its
severity (``error`` blocks publication, ``warning`` is reported) and, in ``meta``, what a failure means for
the business and what to do. Nothing about thresholds lives in the code.

- a published table's suite is written out whole: ``expectations/published.<table>.json``;
- the landing suites (``landing.<table>``, ``landing.folder``) are generated: ``expectations/landing/_kinds.yml``
  writes every landing expectation once and the kinds of table that choose among them;
  ``expectations/landing/<table>.yml`` names the table's kind and holds only what is its own (placeholders,
  additions, overrides). The expansion gives the same ``Suite`` a hand-written file would.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
LANDING = "landing"  # the folder of the landing suites, under the expectations folder
KINDS_FILE = "_kinds.yml"
SEVERITIES = ("error", "warning")
OVERRIDABLE = ("batch", "type", "kwargs", "severity", "meta")


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
    source: str = ""  # the file a person edits, relative to the repository

    @property
    def batches(self) -> list[str]:
        return sorted({e.batch for e in self.expectations})

    @property
    def scope(self) -> str:
        """The first part of every finding id of the suite: the table, or ``folder``."""
        return self.table or "folder"


class SuiteError(ValueError):
    pass


def _suite(raw: dict, where: str, origins: list[str] | None = None, source: str = "") -> Suite:
    """The checks every suite passes, hand-written or generated; ``origins[i]`` names the file expectation i
    comes from (a generated one: the table's file and the catalogue)."""
    exps = []
    for i, e in enumerate(raw.get("expectations", [])):
        at = origins[i] if origins else where
        sev = e.get("severity", "error")
        if sev not in SEVERITIES:
            raise SuiteError(f"{at}: expectation {i} has severity {sev!r} (error or warning)")
        meta = e.get("meta", {})
        if not meta.get("means") or not meta.get("action"):
            raise SuiteError(f"{at}: expectation {i} ({e.get('type')}) must say in meta what a failure "
                             "'means' for the business and which 'action' to take")
        if not e.get("id") or any(x.id == e["id"] for x in exps):
            raise SuiteError(f"{at}: expectation {i} ({e.get('type')}) needs an id of its own")
        exps.append(Expectation(e["id"], e["batch"], e["type"], e.get("kwargs", {}), sev, meta))
    return Suite(raw["name"], tuple(raw["asset"]), raw["kind"], raw.get("table"), raw.get("description", ""),
                 tuple(exps), source)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(EXPECTATIONS_DIR.parent))
    except ValueError:
        return str(path)


def load_suite(path: Path) -> Suite:
    """A suite written out whole in JSON (the published tables)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise SuiteError(f"{path.name}: not valid JSON ({e})") from None
    return _suite(raw, path.name, source=_relative(path))


# ---------------------------------------------------------------------------------------------- landing suites

def _yaml(path: Path) -> dict:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise SuiteError(f"{path.name}: not valid YAML ({e})") from None
    if not isinstance(raw, dict):
        raise SuiteError(f"{path.name}: must be a mapping (kind, vars, add, overrides)")
    return raw


def _merge(base: dict, override: dict) -> dict:
    """``override`` into ``base``: mappings merged key by key, anything else replaced."""
    out = dict(base)
    for k, v in override.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(value, variables: dict, where: str):
    """Every ``{name}`` of the strings of ``value`` replaced by its variable; an unknown one is an error."""
    if isinstance(value, str):
        def one(m):
            if m.group(1) not in variables:
                raise SuiteError(f"{where} uses {{{m.group(1)}}}, which neither the table's file nor its kind "
                                 f"sets (vars; known: {', '.join(sorted(variables))})")
            return str(variables[m.group(1)])
        return _PLACEHOLDER.sub(one, value)
    if isinstance(value, dict):
        return {k: _fill(v, variables, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, variables, where) for v in value]
    return value


class _Templates:
    """``_kinds.yml``: the catalogue of landing expectations, its groups and the kinds of landing table."""

    def __init__(self, path: Path):
        self.path = path
        raw = _yaml(path)
        self.catalogue: dict = raw.get("expectations") or {}
        self.order = list(self.catalogue)
        self.groups: dict = raw.get("groups") or {}
        self.kinds: dict = raw.get("kinds") or {}
        self.vars: dict = raw.get("vars") or {}
        self.description: str = raw.get("description", "")
        self.judged: dict = raw.get("judged") or {}
        for name in self.kinds:
            self.kind(name, path.name)  # a broken kind is reported even when no table uses it

    def ids(self, items, where: str) -> list:
        """Catalogue ids (a group gives its ids); a mapping is an expectation of the table's own, kept as is."""
        out = []
        for item in items or []:
            if isinstance(item, dict):
                out.append(item)
            elif item in self.groups:
                out += self.ids(self.groups[item], where)
            elif item in self.catalogue:
                out.append(item)
            else:
                raise SuiteError(f"{where}: {item!r} is neither an expectation nor a group of {self.path.name} "
                                 f"(groups: {', '.join(sorted(self.groups))})")
        return out

    def kind(self, name: str, where: str, seen: tuple = ()) -> dict:
        """The kind with what it extends folded in: ids, vars, overrides (in the order they apply), fields."""
        if name not in self.kinds:
            raise SuiteError(f"{where}: kind {name!r} is not one of {sorted(self.kinds)} ({self.path.name})")
        if name in seen:
            raise SuiteError(f"{self.path.name}: kind {name!r} extends itself ({' > '.join(seen + (name,))})")
        k = self.kinds[name]
        at = f"{self.path.name} (kind {name})"
        base = (self.kind(k["extends"], at, seen + (name,)) if k.get("extends")
                else {"ids": [], "vars": {}, "overrides": [], "fields": {}})
        ids = base["ids"] + [i for i in self.ids(k.get("expectations"), at) if i not in base["ids"]]
        if any(isinstance(i, dict) for i in ids):
            raise SuiteError(f"{at}: a kind lists expectations of the catalogue by id, not whole expectations")
        fields = base["fields"] | {f: k[f] for f in ("spec_kind", "table", "asset", "description") if f in k}
        return {"ids": ids, "vars": base["vars"] | (k.get("vars") or {}),
                "overrides": base["overrides"] + [(at, k.get("overrides") or {})], "fields": fields}


def _spec(table: str):
    from ..ingestion.specs import SPECS

    return next((s for s in SPECS if s.name == table), None)


def load_landing_suite(path: Path, templates: _Templates) -> Suite:
    """``expectations/landing/<table>.yml`` expanded with its kind of ``_kinds.yml``."""
    raw = _yaml(path)
    where = path.name
    unknown = set(raw) - {"kind", "vars", "add", "overrides", "description"}
    if unknown:
        raise SuiteError(f"{where}: unknown key(s) {sorted(unknown)} (kind, vars, add, overrides, description)")
    if not raw.get("kind"):
        raise SuiteError(f"{where}: must name its kind, one of {sorted(templates.kinds)} ({templates.path.name})")
    kind = templates.kind(raw["kind"], where)
    fields = kind["fields"]
    table = fields.get("table", path.stem)
    variables = dict(templates.vars) | {"table": path.stem}
    if table is not None:
        spec = _spec(table)
        if spec is None:
            raise SuiteError(f"{where}: no landing table {table!r} in dagster_project/ingestion/specs.py")
        if fields.get("spec_kind") and spec.kind != fields["spec_kind"]:
            raise SuiteError(f"{where}: kind {raw['kind']!r} is for {fields['spec_kind']} tables, and {table} is "
                             f"{spec.kind} (dagster_project/ingestion/specs.py)")
        variables["about"] = spec.description
    variables |= kind["vars"] | (raw.get("vars") or {})

    items = kind["ids"] + [i for i in templates.ids(raw.get("add"), where) if i not in kind["ids"]]
    ids = sorted((i for i in items if isinstance(i, str)), key=templates.order.index)
    own = [i for i in items if isinstance(i, dict)]
    exps = {i: {"id": i, **copy.deepcopy(templates.catalogue[i])} for i in ids}
    for at, overrides in kind["overrides"] + [(where, raw.get("overrides") or {})]:
        for i, o in overrides.items():
            if i not in exps:
                raise SuiteError(f"{at}: overrides {i!r}, which is not an expectation of {path.stem} "
                                 f"({', '.join(exps)})")
            if not isinstance(o, dict) or set(o) - set(OVERRIDABLE):
                raise SuiteError(f"{at}: the override of {i!r} may set {', '.join(OVERRIDABLE)} only")
            exps[i] = _merge(exps[i], o)
    expectations = list(exps.values()) + own
    origins = [f"{where} ({templates.path.name}: {e['id']})" for e in exps.values()] + [where] * len(own)
    expectations = [_fill(e, variables, f"{origins[n]}, expectation {n}") for n, e in enumerate(expectations)]

    batches = {e.get("batch") for e in expectations}
    variables["judged"] = ", ".join(text for batch, text in templates.judged.items() if batch in batches)
    description = raw.get("description") or fields.get("description") or templates.description
    suite = {
        "name": f"{LANDING}.{path.stem}",
        "asset": _fill(fields.get("asset", ["raw", "{table}"]), variables, where),
        "kind": "landing",
        "table": table,
        "description": _fill(description, variables, where),
        "expectations": expectations,
    }
    return _suite(suite, where, origins, source=_relative(path))


def load_landing_suites(directory: Path) -> list[Suite]:
    kinds = directory / KINDS_FILE
    if not kinds.exists():
        return []
    templates = _Templates(kinds)
    return [load_landing_suite(p, templates) for p in sorted(directory.glob("*.yml")) if p.name != KINDS_FILE]


def load_suites(directory: Path = EXPECTATIONS_DIR) -> list[Suite]:
    """The landing suites (generated), then the published ones, each in the order of its file name."""
    suites = load_landing_suites(directory / LANDING) + [load_suite(p) for p in sorted(directory.glob("*.json"))]
    seen: dict[str, str] = {}
    for s in suites:
        if s.name in seen:  # e.g. a landing suite written out whole beside its generated one
            raise SuiteError(f"{s.source}: suite {s.name} is already defined by {seen[s.name]}")
        seen[s.name] = s.source
    return suites
