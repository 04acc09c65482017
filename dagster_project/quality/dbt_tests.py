"""dbt data tests as findings of the quality gate: a short id, what a failure means, what to do, failing rows.

dbt names a generic test after its arguments (``not_null_columns_int_coord_dossiers_at_measure_date_measure_date__
period_start__…``, up to 200 characters) and reports "FAIL 3". Here each test gets:

- an **id** a person can type: ``dbt.<model>.<test kind>`` (``dbt.int_region.relationships``), with the column when
  the same kind appears more than once on a model (``dbt.indicator_results.accepted_values.status``); a singular test
  is ``dbt.<test name>``; ``config: meta: {id: …}`` in the yml overrides it. A finding adds ``@<measure date>`` when
  the failing rows carry one (or the run computes a single quarter), like the GX ids ``<table>.<check>@<key>``;
- a **meaning** and an **action**: the default of its generic test (``KINDS`` below, filled with the model, columns
  and arguments from the manifest's ``test_metadata``), unless the test's yml gives its own ``description`` or
  ``config: meta: {means: …, action: …}`` (singular tests: ``dbt/tests/singular/_singular__tests.yml``);
- a **sample**: its compiled SQL (from dbt's ``run_results.json``) run again, read-only, ``LIMIT 5``, after dbt has
  finished — for a not-null test, the rows of the model whose column is empty. Person identifiers (``ins``,
  ``patient_ins``, ``nir``, ``usager_id``, ``*_ins``) are never part of a sample.

``evaluate`` turns the results of one dbt invocation into a ``SuiteResult`` (suite ``dbt.<asset>``), written to
``<home>/warehouse/quality/dbt.<asset>.json`` beside the GX suites, so that the refusal blocks, the warnings, the
overrides and the published quality page show dbt tests like any other check. The dbt assets
(``transform/assets.py``, ``dbt_build``) exclude the accepted tests from ``dbt build`` (a failed ``error`` test makes
dbt skip every model downstream) and run them alone afterwards, so that their failure is recorded as accepted.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

from .runner import ExpectationResult, SuiteResult, _jsonable

# Metadata of the dg.Failure a dbt asset raises when a dbt test refuses publication: the refused findings, as
# pipeline.GateRefused lists them (``blocking``); the evidence is in <home>/warehouse/quality/dbt.<asset>.json.
DBT_GATE_METADATA = "eparcours/dbt_gate"
SAMPLE = 5
SAMPLE_COLUMNS = 10
MAX_FINDINGS = 50
KEY_COLUMN = "measure_date"
PERSON_IDENTIFIERS = frozenset({"ins", "patient_ins", "nir", "usager_id"})
# dbt's own generic tests name the tested value with these columns: hidden too when the tested column is personal
GENERIC_VALUE_COLUMNS = ("value_field", "unique_field", "from_field", "to_field")


def is_person_identifier(column: str) -> bool:
    c = column.lower()
    return c in PERSON_IDENTIFIERS or c.endswith("_ins")


# What a failure of each generic test means for the published figures, and what to do, by layer of the model it
# tests (``ref``: a seed; ``staging``; ``intermediate``; ``marts``; ``gate``; ``*``: any other). Placeholders:
# {model} {column} {columns} {n} (a count with its noun: "3 rows") and the test's arguments ({values} {to} {field}
# {seed} {condition} {expression} {numerator} {denominator}).
KINDS: dict[str, dict] = {
    "not_null_columns": {
        "noun": "row",
        "intermediate": (
            "a column every indicator of {model} relies on ({columns}) is empty on {n}: the landing contract allows "
            "it to be empty, or a staging rule lets an empty value through; the figures of those rows would be wrong",
            "read the sample and check the landing file it points to (table, month, structure); if the contract "
            "allows the value to be empty, the test is wrong: report it to the warehouse maintainers"),
        "marts": (
            "the indicator model {model} has {n} without {columns}: a result nobody can place (indicator, structure, "
            "quarter) or a figure without its numerator or denominator would be published",
            "report it to the warehouse maintainers with the sample: the SQL of {model} (or of a model it reads) "
            "lost the value; the landing files are rarely at fault"),
        "gate": (
            "{model}, read by the quality gate, has {n} without {columns}: a delivery or a finding nobody can "
            "place",
            "report it to the warehouse maintainers with the sample"),
        "ref": (
            "the reference list {model} (seeds/{model}.csv) has no {columns} on {n}: every code or target looked up "
            "there is missing from the indicators",
            "fill the value in seeds/{model}.csv from the list's official source (seeds/README.md), then run again"),
        "staging": (
            "{columns} of {model} is empty on {n} although the landing contract requires it (the ingestion "
            "quarantines such rows): the ingestion and dbt disagree on the contract",
            "report it to the warehouse maintainers with the sample (file and line are in it); the landing file "
            "itself is probably right"),
    },
    "unique_combination": {
        "noun": "key",
        "*": (
            "{model} has {n} ({columns}) found more than once: the same dossier, member or structure would be "
            "counted twice and every figure built on those rows inflated (usually two deliveries in force for the "
            "same month, or a structure listed twice in a snapshot)",
            "read the sample: look the key up in the landing files in force for that period (two versions of one "
            "month, a line repeated, a structure twice in a snapshot); re-deliver the corrected file, or report it "
            "if the landing is right"),
        "marts": (
            "{model} has {n} ({columns}) found more than once: two figures for one indicator, structure and "
            "quarter; consumers would double count or see contradictory values",
            "report it with the sample: look for a structure listed twice in the snapshot in force for that quarter "
            "(coord_structures, esms_projets, FINESS), then at the SQL of {model}"),
        "gate": (
            "{model} has {n} ({columns}) found more than once: a delivery or a finding of the quality gate would "
            "be judged twice",
            "report it to the warehouse maintainers with the sample"),
        "ref": (
            "the reference list seeds/{model}.csv has {n} ({columns}) found more than once: every lookup of "
            "those codes would duplicate rows in the indicators",
            "remove the duplicate line from seeds/{model}.csv, then run again"),
    },
    "accepted_values": {
        "noun": "value",
        "*": (
            "{column} of {model} has {n} outside the accepted list ({values}): a code the indicators do not know is "
            "ignored or counted in the wrong group",
            "read the values in the sample: if a code is official and new, add it to the list (the test in the yml "
            "of {model}, or the code-list seed); if not, ask the sender to correct the export"),
        "marts": (
            "{column} of {model} has {n} outside the list ({values}): a result the rulebook does not define "
            "(indicator, scope, status) would be published",
            "report it to the warehouse maintainers with the sample: the SQL of {model} produced it"),
        "gate": (
            "{column} of {model} has {n} outside the list ({values}): the quality gate would judge something it does "
            "not know",
            "report it to the warehouse maintainers with the sample"),
        "ref": (
            "{column} of the reference list seeds/{model}.csv has {n} outside the list ({values}): rows looked up "
            "there would be misclassified",
            "correct seeds/{model}.csv from the list's official source, then run again"),
    },
    "accepted_values_from_seed": {
        "noun": "value",
        "*": (
            "{column} of {model} has {n} missing from the code list seeds/{seed}.csv: a code changed at the "
            "sender, or a new official code the list does not have yet; those rows count as unknown in the "
            "indicators",
            "read the codes in the sample: if they are official, update seeds/{seed}.csv from its source "
            "(seeds/README.md); if not, ask the sender to correct the export"),
    },
    "relationships": {
        "noun": "value",
        "*": (
            "{column} of {model} has {n} with no match in {to} ({field}): rows referring to something the "
            "reference does not have; they drop out of every join, and out of the figures",
            "read the sample: if the reference row is missing from a delivery (FINESS stock, ROR or coord_structures "
            "snapshot), ask for it; if the reference list is out of date, update it; if the value itself is wrong "
            "(a setting, a code), correct it"),
    },
    "relationships_same_snapshot": {
        "noun": "value",
        "*": (
            "{column} of {model} has {n} with no match in {to} ({field}) of the same delivery: the extract is "
            "internally inconsistent (a unit pointing to an entity missing from the same snapshot); those rows drop "
            "out of the figures",
            "ask the sender for a consistent extract (both files of the same date), or report it if both files are "
            "right"),
    },
    "not_null_where": {
        "noun": "row",
        "*": (
            "{column} of {model} is empty on {n} where it is required ({condition}): the figures of those rows would "
            "be missing or wrong",
            "read the sample and check the deliveries of those structures for that period (a declared file active, "
            "a snapshot); report it to the warehouse maintainers if the deliveries are complete"),
        "marts": (
            "{model} has {n} without {column} although it is required there ({condition}): a result would be "
            "published empty",
            "read the sample: check the deliveries of that structure and quarter; if they are complete, report it "
            "to the warehouse maintainers (the SQL of {model})"),
    },
    "expression_is_true": {
        "noun": "row",
        "*": (
            "{model} has {n} breaking the rule `{expression}`: those rows are inconsistent and the figures built on "
            "them would be wrong",
            "read the sample (the yml of {model} says why the rule holds); re-deliver the file it came from, or "
            "report it if the data is right"),
    },
    "numerator_not_above_denominator": {
        "noun": "result",
        "defaults": {"numerator": "numerator", "denominator": "denominator"},
        "*": (
            "{model} has {n} counting more in the numerator ({numerator}) than in the denominator ({denominator}): a "
            "share above 100 % would be published; the numerator counts dossiers, members or structures outside the "
            "population, or a join counts them twice",
            "report it to the warehouse maintainers with the sample (indicator, structure, quarter); meanwhile "
            "compare the landing deliveries of that structure and quarter (a dossier delivered twice, a snapshot "
            "missing)"),
    },
    "valid_finess": {
        "noun": "value",
        "*": (
            "{column} of {model} has {n} failing the FINESS format or check digit: those structures cannot "
            "be matched with the FINESS directory and drop out of their indicators",
            "read the sample; check the FINESS in the landing file and in the FINESS stock, and ask the sender to "
            "correct it; report it if the ingestion let a required FINESS through"),
    },
    "valid_ins": {
        "noun": "value",
        "*": (
            "{column} of {model} has {n} failing the INS check (15 characters with the right key): those dossiers "
            "stay in the denominators but count as not identified (EP-INS, the INS match of EP-4.2); the INS are "
            "never shown",
            "ask the structures to qualify the identity in their tool (INS); nothing to correct in the warehouse"),
    },
}
KINDS["not_null"] = KINDS["not_null_columns"]
KINDS["unique"] = KINDS["unique_combination"]
UNKNOWN_KIND = (
    "the dbt test failed on {n} of {model}",
    "read the sample and the test's SQL; report it to the warehouse maintainers")
SINGULAR = (
    "the singular dbt test {name} failed on {n}",
    "read the sample and the comment at the top of dbt/tests/singular/{name}.sql; report it to the warehouse "
    "maintainers")


# ------------------------------------------------------------------------------------------------ manifest

def kind(node: dict) -> str | None:
    """The generic test's name (``not_null_columns``), or None for a singular test."""
    return (node.get("test_metadata") or {}).get("name")


def tested_node(node: dict, manifest: dict) -> dict | None:
    """The model or seed a generic test is attached to (None for a singular test)."""
    uid = node.get("attached_node")
    if uid is None and kind(node):
        uid = next((d for d in node.get("depends_on", {}).get("nodes", []) if not d.startswith("test.")), None)
    return manifest["nodes"].get(uid) if uid else None


def _meta(node: dict) -> dict:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def _column(node: dict) -> str | None:
    return node.get("column_name") or (node.get("test_metadata") or {}).get("kwargs", {}).get("column_name")


_IDS: dict[int, tuple[dict, dict[str, str]]] = {}


def short_ids(manifest: dict) -> dict[str, str]:
    """unique_id -> short id, for every data test of the manifest (the ids do not depend on what a run selects)."""
    cached = _IDS.get(id(manifest))
    if cached is not None and cached[0] is manifest:
        return cached[1]
    ids = _short_ids(manifest)
    if len(_IDS) >= 4:
        _IDS.clear()
    _IDS[id(manifest)] = (manifest, ids)
    return ids


def _short_ids(manifest: dict) -> dict[str, str]:
    base: dict[str, str] = {}
    for uid, node in manifest["nodes"].items():
        if node.get("resource_type") != "test":
            continue
        k = kind(node)
        target = tested_node(node, manifest)
        base[uid] = f"dbt.{target['name']}.{k}" if k and target else f"dbt.{node['name']}"
    groups: dict[str, list[str]] = defaultdict(list)
    for uid, b in base.items():
        groups[b].append(uid)
    ids = {}
    for b, uids in groups.items():
        if len(uids) == 1:
            ids[uids[0]] = b
            continue
        by_column: dict[str, list[str]] = defaultdict(list)
        for uid in uids:
            col = _column(manifest["nodes"][uid])
            by_column[f"{b}.{col}" if col else b].append(uid)
        for name, same in by_column.items():
            for i, uid in enumerate(sorted(same)):
                ids[uid] = name if len(same) == 1 else f"{name}.{i + 1}"
    for uid in ids:
        own = _meta(manifest["nodes"][uid]).get("id")
        if own:
            ids[uid] = own if own.startswith("dbt.") else f"dbt.{own}"
    return ids


def layer(target: dict | None) -> str:
    if target is None:
        return "*"
    if target.get("resource_type") == "seed":
        return "ref"
    return (target.get("config") or {}).get("schema") or target.get("schema") or "*"


def _short(v) -> str:
    if isinstance(v, (list, tuple)):
        items = [str(x) for x in v]
        return ", ".join(items) if len(items) <= 8 else ", ".join(items[:8]) + f", … ({len(items)} values)"
    text = str(v)
    m = re.fullmatch(r"ref\(['\"](\w+)['\"]\)", text.strip())
    return m.group(1) if m else text


class _Blank(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _count(n: int | None, noun: str) -> str:
    if n is None:
        return f"some {noun}s"
    return f"{n} {noun}" + ("" if n == 1 else "s")


def meaning(node: dict, manifest: dict, n: int | None = None, columns: list[str] | None = None) -> tuple[str, str]:
    """(what a failure means, what to do) for a test: its own yml text, else the default of its kind."""
    k = kind(node)
    target = tested_node(node, manifest)
    texts = KINDS.get(k or "", {})
    if k is None:
        default, noun = SINGULAR, "row"
    elif not texts:
        default, noun = UNKNOWN_KIND, "row"
    else:
        default, noun = texts.get(layer(target)) or texts.get("*") or texts["intermediate"], texts["noun"]
    kwargs = {**texts.get("defaults", {}),
              **{a: _short(v) for a, v in (node.get("test_metadata") or {}).get("kwargs", {}).items() if a != "model"}}
    column = _column(node)
    cols = columns or kwargs.get("combination_of_columns") or kwargs.get("column_names") or column
    values = {**kwargs, "model": target["name"] if target else node["name"], "name": node["name"],
              "column": column or "", "columns": _short(cols) if cols else "", "n": _count(n, noun)}
    meta = _meta(node)
    means = meta.get("means") or node.get("description") or default[0]
    action = meta.get("action") or default[1]
    return _fill(means, values), _fill(action, values)


def _fill(text: str, values: dict) -> str:
    text = " ".join(str(text).split())
    try:
        return text.format_map(_Blank(values))
    except (ValueError, IndexError):  # braces of a yml text that are not placeholders
        return text


# ------------------------------------------------------------------------------------------------ evaluation

@dataclass
class DbtTestResult(ExpectationResult):
    """An ExpectationResult with what a data engineer needs to find the dbt test (the generated name in ``dbt_test``)
    and the asset of the model it tests (``asset``, shown instead of the suite's)."""
    asset: str = ""
    dbt_test: str = ""
    unique_id: str = ""


def _asset_of(target: dict | None) -> str:
    if target is None:
        return ""
    return f"{(target.get('config') or {}).get('schema') or target.get('schema')}/{target['name']}"


def _sample_rows(cur, limit: int = SAMPLE) -> tuple[list[str], list[tuple]]:
    cols = [d[0] for d in cur.description]
    return cols, cur.fetchmany(limit)


def _visible(cols: list[str], hide_values: bool) -> list[str]:
    keep = [c for c in cols if not is_person_identifier(c) and not (hide_values and c in GENERIC_VALUE_COLUMNS)]
    return keep[:SAMPLE_COLUMNS]


def _rows_as_dicts(cols, rows, visible) -> list[dict]:
    out = []
    for r in rows:
        d = {c: _jsonable(v) for c, v in zip(cols, r) if c in visible}
        if d:
            out.append(d)
    return out


def _wrap(sql: str) -> str:
    return f"(\n{sql.strip().rstrip(';')}\n) AS failing"


def _quote(c: str) -> str:
    return '"' + c.replace('"', '""') + '"'


def sample_failures(con, node: dict, result: dict, manifest: dict) -> dict:
    """Failing rows of a failed test, read-only: {"columns", "n", "sample", "dates"} (what could be read)."""
    k = kind(node)
    target = tested_node(node, manifest)
    compiled = result.get("compiled_code") or node.get("compiled_code")
    column = _column(node)
    hide = bool(column and is_person_identifier(column))
    out: dict = {"columns": None, "n": result.get("failures"), "sample": [], "dates": []}
    if k in ("not_null_columns", "not_null") and target is not None and target.get("relation_name"):
        if k == "not_null_columns" and compiled:
            nulls = con.execute(f"SELECT * FROM {_wrap(compiled)}").fetchall()   # one row per empty column
            out["columns"] = [r[0] for r in nulls] or None
            out["n"] = sum(int(r[1] or 0) for r in nulls) if nulls else out["n"]
        empty = out["columns"] or ([column] if column else (node["test_metadata"]["kwargs"].get("column_names") or []))
        if not empty:
            return out
        where = " OR ".join(f"{_quote(c)} IS NULL" for c in empty)
        extra = (node.get("config") or {}).get("where")
        rel = target["relation_name"]
        cond = f"({where})" + (f" AND ({extra})" if extra else "")
        cur = con.execute(f"SELECT * FROM {rel} WHERE {cond} LIMIT {SAMPLE}")
        cols, rows = _sample_rows(cur)
        first = [c for c in empty if c in cols]
        order = first + [c for c in cols if c not in first]
        visible = _visible(order, hide)
        out["sample"] = [{c: d[c] for c in visible if c in d} for d in _rows_as_dicts(cols, rows, visible)]
        if KEY_COLUMN in cols:
            out["dates"] = [_jsonable(r[0]) for r in con.execute(
                f"SELECT DISTINCT {KEY_COLUMN} FROM {rel} WHERE {cond} ORDER BY 1 LIMIT {MAX_FINDINGS}").fetchall()]
        return out
    if not compiled:
        return out
    cur = con.execute(f"SELECT * FROM {_wrap(compiled)} LIMIT {SAMPLE}")
    cols, rows = _sample_rows(cur)
    visible = _visible(cols, hide)
    out["sample"] = _rows_as_dicts(cols, rows, visible)
    if KEY_COLUMN in cols:
        out["dates"] = [_jsonable(r[0]) for r in con.execute(
            f"SELECT DISTINCT {KEY_COLUMN} FROM {_wrap(compiled)} ORDER BY 1 LIMIT {MAX_FINDINGS}").fetchall()]
    return out


STATUS_FAILED = {"fail", "warn", "error"}


def evaluate(manifest: dict, run_results: list[dict], con, suite: str, accepts: list[dict] | None = None,
             measure_date: str | None = None) -> SuiteResult:
    """The data tests of one dbt invocation (``run_results``: the ``results`` of run_results.json; a later result of
    the same test replaces an earlier one) as a ``SuiteResult`` named ``suite``. Failing rows are read through ``con``
    (a read-only DuckDB connection, or None for no sample). ``measure_date``: the measure date of the run when it
    computes one quarter only (the finding key of a failure whose rows carry no measure date)."""
    accepts = accepts or []
    ids = short_ids(manifest)
    latest = {}
    for r in run_results:
        if r.get("unique_id", "").startswith("test.") and r["unique_id"] in manifest["nodes"]:
            latest[r["unique_id"]] = r
    out = SuiteResult(suite, suite.split(".", 1)[-1], datetime.now(timezone.utc).isoformat(timespec="seconds"))
    for uid, r in sorted(latest.items(), key=lambda item: ids[item[0]]):
        node = manifest["nodes"][uid]
        test_id = ids[uid]
        target = tested_node(node, manifest)
        severity = "warning" if str((node.get("config") or {}).get("severity", "error")).lower() == "warn" else "error"
        status = r.get("status")
        failed = status in STATUS_FAILED
        info: dict = {"columns": None, "n": r.get("failures"), "sample": [], "dates": []}
        observed = "passed" if status == "pass" else str(status)
        if status == "error":
            first = (r.get("message") or "").strip().splitlines()
            observed = f"could not run: {first[0] if first else 'dbt error'}"
        elif failed:
            if con is not None:
                try:
                    info = sample_failures(con, node, r, manifest)
                except Exception as e:   # the sample is evidence, never a reason to fail the run
                    first = str(e).strip().splitlines()
                    info["sample_error"] = first[0] if first else type(e).__name__
            observed = f"failed on {_count(info['n'], KINDS.get(kind(node) or '', {}).get('noun', 'row'))}"
            if info.get("sample_error"):
                observed += f" (no sample: {info['sample_error']})"
        elif status == "skipped":
            observed = "not run: skipped by dbt (a model it tests did not build in this run)"
        means, action = meaning(node, manifest, info["n"] if failed and status != "error" else None, info["columns"])
        findings: list[str] = []
        if failed:
            dates = info["dates"] or ([measure_date] if measure_date else [])
            findings = [f"{test_id}@{d}" for d in dates] or [test_id]
        sample = [({**s, "id": findings[0]} if len(findings) == 1 and "@" in findings[0] else s)
                  for s in info["sample"]]
        applied = [a for a in accepts if a["id"] == test_id or a["id"] in findings]
        open_findings = [f for f in findings if not any(a["id"] in (test_id, f) for a in accepts)]
        success = not failed or not open_findings
        kwargs = {a: v for a, v in (node.get("test_metadata") or {}).get("kwargs", {}).items() if a != "model"}
        out.results.append(DbtTestResult(
            id=test_id.split(".", 1)[1], batch="dbt test", expectation=node["name"], severity=severity,
            success=success, kwargs=_jsonable(kwargs), observed=observed, unexpected_count=info["n"] if failed else 0,
            sample=sample, means=means, action=action, findings=findings, accepted=applied,
            asset=_asset_of(target), dbt_test=node["name"], unique_id=uid))
    return out


# ------------------------------------------------------------------------------------------------ overrides

def accepted_test_ids(manifest: dict, accepts: list[dict], candidates: set[str] | None = None) -> dict[str, str]:
    """unique_id -> short id of the tests an override names (``dbt.<…>`` or ``dbt.<…>@<key>``), among
    ``candidates`` (unique_ids) when given."""
    wanted = {a["id"].split("@", 1)[0] for a in accepts if a.get("id", "").startswith("dbt.")}
    if not wanted:
        return {}
    return {uid: tid for uid, tid in short_ids(manifest).items()
            if tid in wanted and (candidates is None or uid in candidates)}


def blocking(result: SuiteResult) -> list[dict]:
    """The failures that refuse publication, as ``pipeline.GateRefused`` lists them."""
    return [{"check": f"dbt.{r.id}", "asset": getattr(r, "asset", "") or result.asset, "partition": None,
             "suite": result.suite, "detail": r.observed} for r in result.errors]
