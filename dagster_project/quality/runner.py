"""Run a suite with Great Expectations 1.x on DataFrames (ephemeral context; GX is imported lazily: ~5 s)."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from .batches import frame
from .suites import Suite

SAMPLE = 10


@dataclass
class ExpectationResult:
    batch: str
    expectation: str
    severity: str
    success: bool
    kwargs: dict
    observed: str
    unexpected_count: int | None
    sample: list
    means: str
    action: str


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
    def passed(self) -> bool:
        return not self.errors

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, default=str)


_context = None


def _gx_context():
    global _context
    if _context is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        _context = gx.get_context(mode="ephemeral")
        _context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return _context


def _jsonable(v):
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


def run_suite(suite: Suite, con) -> SuiteResult:
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    ctx = _gx_context()
    out = SuiteResult(suite.name, "/".join(suite.asset), datetime.now(timezone.utc).isoformat(timespec="seconds"))
    for batch_name in suite.batches:
        df = frame(con, suite.kind, suite.table, batch_name)
        out.rows[batch_name] = len(df)
        exps = [e for e in suite.expectations if e.batch == batch_name]
        ds_name = f"{suite.name}:{batch_name}"
        try:
            ctx.data_sources.delete(ds_name)
        except Exception:
            pass
        bd = ctx.data_sources.add_pandas(ds_name).add_dataframe_asset("frame").add_batch_definition_whole_dataframe("all")
        batch = bd.get_batch(batch_parameters={"dataframe": df})
        gx_suite = gx.ExpectationSuite(
            name=ds_name,
            expectations=[ExpectationConfiguration(type=e.type, kwargs=e.kwargs, meta={"i": i}).to_domain_obj()
                          for i, e in enumerate(exps)],
        )
        res = batch.validate(gx_suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE})
        for r in res.results:
            e = exps[r.expectation_config.meta["i"]]
            result = r.result or {}
            observed = result.get("observed_value")
            if observed is None and result.get("partial_missing_list"):
                observed = f"{result['missing_count']} missing: {', '.join(map(str, result.get('partial_missing_list', [])))}"
            elif observed is None and result.get("unexpected_count") is not None:
                pct = result.get("unexpected_percent")
                observed = f"{result['unexpected_count']} unexpected" + (f" ({pct:.2f} %)" if pct is not None else "")
            exc = _exception_message(r.exception_info)
            out.results.append(ExpectationResult(
                batch=batch_name, expectation=e.label, severity=e.severity, success=bool(r.success),
                kwargs=e.kwargs, observed=str(exc or observed), unexpected_count=result.get("unexpected_count"),
                sample=[_jsonable(v) for v in (result.get("partial_unexpected_list")
                                               or result.get("partial_missing_list") or [])[:SAMPLE]],
                means=e.meta["means"], action=e.meta["action"]))
        ctx.data_sources.delete(ds_name)
    return out
