"""Render ``docs/quality.md`` from the suites in ``expectations/`` (the page cannot drift from the checks).

    python -m dagster_project.quality.doc > docs/quality.md
"""
from .suites import load_suites

INTRO = """# Quality gate: what is checked before anything is published

Generated from `expectations/*.json` by `python -m dagster_project.quality.doc` — edit the suites, not
this page (tests/quality/test_quality_doc.py fails when it is out of date).

Nothing reaches consumers unless the gate passes. The gate is made of:

- **dbt tests** (`dbt/models/**/*.yml`, `dbt/tests/`): row-level rules — keys unique and not null,
  accepted values, identifiers, numerator ≤ denominator, one result per key, every indicator present.
  A test of severity `error` that fails stops the run; `warn` tests are reported only.
- **Great Expectations suites** (`expectations/`), run by blocking Dagster asset checks on DataFrames
  pulled from DuckDB (filtered first): one per landing table (`gx_landing` on `raw/<table>`) and one per
  published table (`pre_publication_gate` checks on `marts/indicator_results`). An expectation of
  severity **error** that fails blocks publication; a **warning** is reported (Dagster check severity
  WARN, the run output, `published/quality/index.html`) and does not block.

A refused run exits with code **3**, prints each failed check with the table, the expectation, what it
means, what to do and a sample of the offending values, writes the results to
`<home>/warehouse/quality/<suite>.json`, and leaves every file under `<home>/published/` byte for byte
as it was.

## Overriding a check knowingly

Thresholds live in the suites, never in code. When a failure is understood and the data is right (a
structure really closed, a real jump after a reorganisation):

1. edit the expectation in `expectations/<suite>.json` — lower the threshold, add a `row_condition`
   (pandas syntax, e.g. `"scope_id != '010002345'"`) or change its `severity` from `error` to `warning`;
2. say why in its `meta` (`"override": "2025-01-15, J. Martin: DAC X merged into DAC Y"`);
3. commit the change (the history is the audit trail) and run again.

Turning a warning into nothing is never needed: warnings do not block.

## Batches

Each expectation runs on one batch of its suite:

| batch | for | content |
|---|---|---|
| `rows` | landing | the rows of the table's most recent delivery; every date/timestamp column also as `<col>__date`, `<col>__year` and `<col>__days_after_delivery` (days after the end of the delivered month, or after the extraction date of a snapshot) |
| `deliveries` | landing | one row per current delivery: `rows_loaded`, `rows_rejected`, `quarantine_share`, `previous_rows_loaded`, `ratio_to_previous` |
| `refused` | landing | files refused whole and not replaced since by a readable delivery of the same month/date |
| `table` | published | exactly the SELECT the publication writes into `published/warehouse.duckdb` |
| `changes` | `indicator_results` | each result beside the same indicator, structure and subgroup one quarter before: `abs_change` (points), `min_denominator` |

"""


def render_markdown() -> str:
    out = [INTRO]
    for s in load_suites():
        out += [f"## `{s.name}` — {'/'.join(s.asset)}", "", s.description, "",
                "| batch | expectation | threshold | severity | a failure means | what to do |",
                "|---|---|---|---|---|---|"]
        for e in s.expectations:
            kw = {k: v for k, v in e.kwargs.items() if k not in ("column", "column_list", "condition_parser")}
            if "value_set" in kw and len(kw["value_set"]) > 6:
                kw["value_set"] = f"{len(kw['value_set'])} values (see the suite)"
            thr = ", ".join(f"{k}={v}" for k, v in kw.items()).replace("|", "\\|")
            out.append(f"| `{e.batch}` | {e.label} | {thr} | **{e.severity}** | {e.meta['means']} | {e.meta['action']} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render_markdown(), end="")
