"""Run a suite with Great Expectations 1.x on DataFrames (ephemeral context; GX is imported lazily: ~3 s).

Each failed expectation is turned into *findings*, one per failing row (a delivery, a structure, a file, an
indicator row), each with an id a person can type: ``<table>.<expectation id>@<row key>`` (for example
``dui_evenements.volume_low@2024-06``). An override (``eparcours run --accept <id> --reason "..."``) names a
finding, or an expectation (``dui_evenements.volume_low``) for all its findings; an expectation whose every
finding is accepted no longer blocks, and the result keeps who accepted what and why.
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone

from .batches import CONTEXT, KEYS, frame, judged_only
from .suites import Suite

SAMPLE = 10


@dataclass
class ExpectationResult:
    id: str
    batch: str
    expectation: str
    severity: str
    success: bool  # after overrides: False only when a finding is not accepted
    kwargs: dict
    observed: str
    unexpected_count: int | None
    sample: list
    means: str
    action: str
    findings: list[str] = field(default_factory=list)  # ids of the failing rows (all of them)
    accepted: list[dict] = field(default_factory=list)  # {id, reason, by, at} applied here


@dataclass
class SuiteResult:
    suite: str
    asset: str
    validated_at: str
    rows: dict[str, int] = field(default_factory=dict)
    results: list[ExpectationResult] = field(default_factory=list)

    @property
    def errors(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success and r.severity == "error"]

    @property
    def warnings(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success and r.severity == "warning"]

    @property
    def accepted(self) -> list[ExpectationResult]:
        return [r for r in self.results if r.accepted]

    @property
    def passed(self) -> bool:
        return not self.errors

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, default=str)


_context = None


def gx_context():
    global _context
    if _context is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        _context = gx.get_context(mode="ephemeral")
        _context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return _context


def _jsonable(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, datetime):  # pandas gives dates as midnight timestamps: a date reads as a date
        return v.date().isoformat() if (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0) else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if hasattr(v, "item"):  # numpy scalars
        return _jsonable(v.item())
    try:
        json.dumps(v)
        return v
    except TypeError:
        return str(v)


def _exception_message(info) -> str | None:
    """GX reports an expectation that could not run (bad column, bad kwargs) in exception_info."""
    if not info:
        return None
    items = info.values() if all(isinstance(v, dict) for v in info.values()) else [info]
    for i in items:
        if i.get("raised_exception"):
            return f"could not evaluate: {i.get('exception_message')}"
    return None


def finding_id(suite: Suite, expectation_id: str, key: dict | None) -> str:
    base = f"{suite.scope}.{expectation_id}"
    if not key:
        return base
    parts = [str(v) for k, v in key.items() if k != "finding" and v not in (None, "") and not _is_nan(v)]
    return f"{base}@{'/'.join(parts)}" if parts else base


def _is_nan(v) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _match(accept_id: str, expectation_level: str, fid: str) -> bool:
    return accept_id in (fid, expectation_level)


def run_suite(suite: Suite, con, published: set[tuple[str, str, str]] | None = None,
              accepts: list[dict] | None = None) -> SuiteResult:
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    ctx = gx_context()
    published = published or set()
    accepts = accepts or []
    out = SuiteResult(suite.name, "/".join(suite.asset), datetime.now(timezone.utc).isoformat(timespec="seconds"))
    judged_keys = None
    for batch_name in sorted(suite.batches, key=lambda b: b != "deliveries"):  # deliveries first: judged keys
        df = frame(con, suite.kind, suite.table, batch_name)
        df = judged_only(df, batch_name, suite.table, published, judged_keys)
        if batch_name == "deliveries":
            judged_keys = set(df["delivery_key"])
        out.rows[batch_name] = len(df)
        exps = [e for e in suite.expectations if e.batch == batch_name]
        if not exps:
            continue
        if df.empty and all(e.type in VACUOUS_ON_NO_ROWS for e in exps):
            # nothing new to judge in this batch (the deliveries already published are left out): what GX reports
            # for such expectations on no rows, without its ~0.1 s per validation (tests/quality: compared with GX)
            out.results += [vacuous_result(e, batch_name) for e in exps]
            continue
        keys = [k for k in KEYS.get(batch_name, []) if k in df.columns]
        df = df[_used_columns(df, exps, keys, batch_name)]
        ds_name = f"{suite.name}:{batch_name}"
        batch = _batch_definition(ctx, ds_name).get_batch(batch_parameters={"dataframe": df})
        gx_suite = gx.ExpectationSuite(
            name=ds_name,
            expectations=[ExpectationConfiguration(type=e.type, kwargs=e.kwargs, meta={"i": i}).to_domain_obj()
                          for i, e in enumerate(exps)],
        )
        result_format = {"result_format": "COMPLETE" if keys else "SUMMARY", "partial_unexpected_count": SAMPLE}
        if keys:
            result_format["unexpected_index_column_names"] = keys
        res = batch.validate(gx_suite, result_format=result_format)
        # in the suite's order (GX returns them grouped its own way)
        for r in sorted(res.results, key=lambda r: r.expectation_config.meta["i"]):
            e = exps[r.expectation_config.meta["i"]]
            out.results.append(_result(suite, e, r, df, keys, batch_name, accepts))
    return out


# Expectations on the values of a column: on a frame with no row they hold, with 0 unexpected values.
VACUOUS_ON_NO_ROWS = {"expect_column_values_to_be_between", "expect_column_values_to_not_be_in_set",
                      "expect_column_values_to_be_in_set", "expect_column_values_to_be_null",
                      "expect_column_values_to_not_be_null"}


def vacuous_result(e, batch_name: str) -> ExpectationResult:
    return ExpectationResult(
        id=e.id, batch=batch_name, expectation=e.label, severity=e.severity, success=True, kwargs=e.kwargs,
        observed="0 unexpected", unexpected_count=0, sample=[], means=e.meta["means"], action=e.meta["action"])


def _used_columns(df, exps, keys: list[str], batch_name: str) -> list[str]:
    """The columns the expectations, their row conditions, the finding keys and the evidence read. GX filters
    a row condition with DataFrame.query, whose cost grows with the number of columns of the frame: a batch of
    delivery_volumes (~60 columns) cut to the dozen it needs validates about twice as fast."""
    text = " ".join(str(v) for e in exps for v in e.kwargs.values())
    named = {c for c in df.columns if re.search(rf"\b{re.escape(c)}\b", text)}
    wanted = set(keys) | set(CONTEXT.get(batch_name, [])) | named
    return [c for c in df.columns if c in wanted]


_batch_definitions: dict = {}


def _batch_definition(ctx, name: str):
    """One pandas data source per suite and batch, made once per process: the frame is a batch parameter.
    (Adding and deleting a data source saves the whole context configuration each time: ~0.1 s per batch.)"""
    if name not in _batch_definitions:
        try:
            ctx.data_sources.delete(name)
        except Exception:
            pass
        _batch_definitions[name] = (ctx.data_sources.add_pandas(name).add_dataframe_asset("frame")
                                    .add_batch_definition_whole_dataframe("all"))
    return _batch_definitions[name]


def _result(suite: Suite, e, r, df, keys, batch_name: str, accepts: list[dict]) -> ExpectationResult:
    result = r.result or {}
    observed = result.get("observed_value")
    if observed is None and result.get("unexpected_count") is not None:
        pct = result.get("unexpected_percent")
        observed = f"{result['unexpected_count']} unexpected" + (f" ({pct:.2f} %)" if pct is not None else "")
    exc = _exception_message(r.exception_info)
    level = f"{suite.scope}.{e.id}"
    findings, sample = [], []
    if not r.success and not exc:
        index = result.get("unexpected_index_list") or []
        if keys and index:
            column = e.kwargs.get("column")
            for row in index:
                key = {k: _jsonable(row.get(k)) for k in keys}
                fid = finding_id(suite, e.id, key)
                findings.append(fid)
                if len(sample) < SAMPLE:
                    sample.append(_sample_row(df, key, column, batch_name) | {"id": fid})
        else:
            findings.append(level)
            sample = [_jsonable(v) for v in (result.get("partial_unexpected_list")
                                              or result.get("partial_missing_list") or [])[:SAMPLE]]
    applied = [a for a in accepts if any(_match(a["id"], level, f) for f in findings)]
    open_findings = [f for f in findings if not any(_match(a["id"], level, f) for a in accepts)]
    success = bool(r.success) or (not exc and bool(findings) and not open_findings)
    return ExpectationResult(
        id=e.id, batch=batch_name, expectation=e.label, severity=e.severity, success=success, kwargs=e.kwargs,
        observed=str(exc or observed), unexpected_count=result.get("unexpected_count"), sample=sample,
        means=e.meta["means"], action=e.meta["action"], findings=findings, accepted=applied)


def _sample_row(df, key: dict, column: str | None, batch_name: str) -> dict:
    """The failing row as a person reads it: its key, the value that failed and its context."""
    sel = df
    for k, v in key.items():
        if v is None:
            sel = sel[sel[k].isna()]
        else:
            sel = sel[sel[k].astype(str) == str(v)]
    if sel.empty:
        return dict(key)
    row = sel.iloc[0]
    cols = list(dict.fromkeys([*key, *([column] if column else []), *CONTEXT.get(batch_name, [])]))
    return {c: _jsonable(row[c]) for c in cols if c in row.index and not _is_nan(row[c]) and row[c] is not None}
