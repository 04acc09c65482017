"""Render ``docs/quality.md`` from the suites of ``expectations/`` (the landing ones expanded) and the dbt
test kinds of ``dbt_tests.py`` (the page cannot drift from the checks).

    python -m dagster_project.quality.doc > docs/quality.md
"""
import re

from .dbt_tests import KINDS
from .suites import load_suites

INTRO = """# Quality gate: what is checked before anything is published

Generated from the suites of `expectations/` (`landing/_kinds.yml` and `landing/<table>.yml`, expanded; the
`published.*.json`) and the dbt test kinds of `dagster_project/quality/dbt_tests.py` by
`python -m dagster_project.quality.doc` — edit those, not this page (tests/quality/test_quality_doc.py fails when it
is out of date).

Nothing reaches consumers unless the gate passes. The gate is made of:

- **dbt tests** (`dbt/models/**/*.yml`, `dbt/tests/`): row-level rules — keys unique and not null,
  accepted values, identifiers, numerator ≤ denominator, one result per key, every indicator present.
  A test of severity `error` that fails refuses publication like a GX finding (below: dbt tests in the gate);
  `warn` tests are reported only.
- **Great Expectations suites** (`expectations/`), run by blocking Dagster asset checks on DataFrames
  pulled from DuckDB (filtered first): one per landing table (`gx_landing` on `raw/<table>`) and one per
  published table (`pre_publication_gate` checks on `marts/indicator_results`). An expectation of
  severity **error** that fails blocks publication; a **warning** is reported (Dagster check severity
  WARN, the run output, `published/quality/index.html`) and does not block.

A refused run exits with code **3**, prints each failed check with the table, the expectation, what it
means, what to do and a sample of the offending values, writes the results to
`<home>/warehouse/quality/<suite>.json`, and leaves every file under `<home>/published/` byte for byte
as it was.

## How a delivery is judged

Each delivery (a monthly file, a dated snapshot) is judged **once, when it arrives**, against the table's own
earlier deliveries, the way dbt Elementary's `volume_anomalies` or Monte Carlo's volume monitors work: a
training window (the 12 previous deliveries), robust statistics (median, MAD), a minimum history before
judging, seasonality (the same month one year before, when it dipped: only a dip of last year excuses a dip; a
jump of last year, an adoption wave, is not expected again). A delivery already published is not judged again.
Five signatures of a partial or wrong extract are looked for, each against the table's history:

- **volume**: `volume_ratio` (rows / the median of the 3 previous deliveries, seasonally adjusted) and its
  robust z-score `volume_z` (the spread is the MAD of the previous ratios: a bursty table, used in campaigns,
  has a wide spread and one more tiny month never refuses it; a table whose history already has a tiny or
  empty delivery is not judged on volume at all); and, because a fast-growing history widens that spread,
  `floor_ratio`/`floor_z`: less than half the smallest of the 12 previous deliveries, more than 3.5 spreads of
  a count that size below it (Poisson for a snapshot, twice that for events, which come in clusters of one
  dossier);
- **structures**: a structure (FINESS géographique, `structure_id`) that delivered rows in each of its previous
  deliveries (up to 12), at a recent level of at least 10 dossiers (never fewer than 5 in the last 3; rows for a
  table without dossier: the rows of a dossier come together, so 12 rows from 2 dossiers make empty months by
  chance), and is still in force (FINESS stock, ESMS Numérique projects, coord_structures), but
  none in this one; one large structure or many at once block. `coord_evenements` and `coord_equipe` name
  only the dossier: their structure is the dossier's, in the latest `coord_dossiers` snapshot listing it;
- **reference snapshots** (`coord_structures`, `finess_structures`, `esms_projets`, `ror_eg`): the entities
  of the previous snapshot that keep delivering rows in the monthly event tables on both sides of the snapshot's
  date (within 31 days before and after) must still be listed (`gate.snapshot_coverage`); a structure that
  really closes stops delivering and is not expected, a new one is not expected before it is listed;
- **column identity**: on the first 5,000 lines of every file, how often each column is filled, how many
  distinct values it has and the dominant shape of its values (digits written 9: `E2024060000001` → `E9`),
  against the column's own history (`gate.delivery_columns`): a column always filled now mostly empty
  (another table's file under this name), another shape than the one that always dominated (identifier
  columns exchanged under an unchanged header), an identifier always unique now repeating;
- **dates**: in a monthly event file, the share of rows dated in the delivered month, and the days without
  events at the end of the month (3 or more) compared with the usual gap of the table's months of normal size
  (the second largest of the history: one past truncation is not a habit) and with their usual density of days
  with events (`trailing_gap_p`, from the lower quartile: a feed with events every other day ends a week empty
  by chance, a daily one does not), after 6 deliveries; the near-empty months of a campaign tool (a history
  with tiny months) are not judged on their end.

The landing folder as a whole is judged at every run: a monthly delivery missing between a table's first
delivery and the last month delivered, a delivery refused whole, a file of a source folder whose name matches
no table (a misnamed month), an entry that is not a regular file. So is the **freshness** of every monthly
table, quarter by quarter: once a quarter is due (its last day + `EPARCOURS_QUARTER_LAG_DAYS`, default 45, as
for the schedules), each of its months from the table's first delivery on must have a delivery in force; a
month due and not arrived (deliveries that stopped, a hole) is the warning `overdue_month`, naming the month,
its quarter and since when it is due: reported, it does not hold back the other tables and months. The
statistics are computed by the dbt models `gate.delivery_volumes`, `gate.delivery_structures`,
`gate.landing_findings` and `gate.delivery_freshness`; the thresholds are the expectations below.

## Overriding a failure knowingly, for one run

A failure that is understood and whose data is right (a structure really closed, a tool really abandoned)
is accepted for one run, without editing any file:

```bash
eparcours run --accept dui_evenements.volume_low@2024-06 --reason "EHPAD X fermé en juin (courrier ARS du 12/07)"
```

The id is printed by the refusal (`<table>.<check>@<delivery>`; `<table>.<check>` accepts every delivery of
that check). Who (`--by`, else `$EPARCOURS_OPERATOR`, else the login), when, why and what was overridden are
written into `published/manifest.json` (`overrides`) and the published quality report. Accepting a check that
did not fail changes nothing and says so. The next run judges only what is new: an accepted delivery, once
published, is not judged again; a landing-wide finding (a missing month) must be accepted again until it is
fixed. Thresholds themselves are data: see below (and say why in the commit).

## Changing a threshold, adding a landing table

The landing suites are written once, in `expectations/landing/_kinds.yml`: every landing expectation (its id,
batch, threshold, severity, what a failure means and what to do, with `{table}` and the other placeholders
filled per table), and the kinds of table that choose among them: `snapshot_dated`, `reference_snapshot` (a
dated snapshot that lists the structures the monthly tables deliver for), `snapshot_monthly`, `event_monthly`
(each one adds to the one before) and `folder`. `expectations/landing/<table>.yml` names the table's kind and
holds only what is its own:

```yaml
kind: reference_snapshot            # from _kinds.yml; must suit the table's kind in ingestion/specs.py
vars: {entity: EG (FINESS géographique)}   # fills a placeholder of the catalogue's texts
add: [structures]                   # more catalogue expectations (an id or a group), or whole expectations
overrides:                          # this table only, merged into the catalogue's expectation
  volume_high: {kwargs: {max_value: 5}}
```

- a threshold of every table that has the expectation: edit it in the catalogue of `_kinds.yml`; of one kind:
  that kind's `overrides`; of one table: `overrides` in its file (change `meta.means` too when the text names
  the threshold);
- a new landing table (its `TableSpec` in `dagster_project/ingestion/specs.py`): a file `<table>.yml` with its
  kind; the description comes from the spec;
- a published table's suite is written out whole in `expectations/published.<table>.json`.

Then `python -m dagster_project.quality.doc > docs/quality.md`. The loader refuses a suite a person could not act
on (no `means` or `action`, an id twice, an unknown severity, kind or placeholder) and names the file.

DBT_SECTION

## Batches

Each expectation runs on one batch of its suite:

| batch | for | content |
|---|---|---|
| `deliveries` | landing | `gate.delivery_volumes` of the table, the deliveries not yet published |
| `structures` | landing | `gate.delivery_structures` of the table, the same deliveries |
| `findings` | landing | `gate.landing_findings` of the table: missing or unreadable deliveries |
| `freshness` | monthly landing tables | `gate.delivery_freshness` of the table: every month of a quarter that is due, `arrived` or not |
| `folder` | `landing.folder` | `gate.landing_findings` of no table: unrecognised files, entries that are not files |
| `table` | published | exactly the SELECT the publication writes into `published/warehouse.duckdb` |
| `changes` | `indicator_results` | each result beside the same indicator, structure and subgroup one quarter before: `abs_change` (points), `min_denominator` |

"""


DBT = """## dbt tests in the gate

Every data test of a production run (the `dbt build` of `dbt_reference` and `dbt_indicators`; the staging tests
tagged `contract` run in `make test` only) is a check of the gate. A failed test of severity `error` refuses
publication with the same block as a GX finding; a `warn` test is a warning:

```
✗ dbt.int_region.relationships — 2024-03-31 (intermediate/int_region)
  what it means: the region code of the warehouse (EPARCOURS_REGION, else the code_region most ROR entités …
  what to do:    read the code in the sample: set EPARCOURS_REGION to the INSEE code of the ARS's region (e.g. 84), …
  · from_field 99
  dbt test:      relationships_int_region_region_code__code_region__ref_ref_regions_
  to publish anyway: eparcours run --accept dbt.int_region.relationships@2024-03-31 --reason "…"
```

- **id**: `dbt.<model>.<test kind>`, with `.<column>` when a model has the same kind of test more than once
  (`dbt.indicator_results.accepted_values.status`); a singular test is `dbt.<test name>`. A finding adds
  `@<measure date>` when its failing rows carry one, or when the run computes a single quarter;
  `dbt.<model>.<test kind>` (no `@`) accepts every measure date. The name dbt generated is on the `dbt test:` line.
- **meaning**: the default of the test's kind (table below), filled with the model, the columns and the arguments
  of the test; a test's own `description`, or `config: meta: {means: …, action: …}`, in its yml wins. The singular
  tests say theirs in `dbt/tests/singular/_singular__tests.yml`.
- **sample**: the test's compiled SQL, from dbt's `run_results.json`, run again read-only once dbt has finished
  (5 rows; for a not-null test, the rows of the model whose column is empty). Columns `ins`, `patient_ins`, `nir`,
  `usager_id` and `*_ins` are never shown.
- **results**: `<home>/warehouse/quality/dbt.dbt_reference.json` and `dbt.dbt_indicators.json`, rewritten at every
  run (a passing test is a success entry), published in `quality/` with the GX suites.
- **accepting**: `--accept dbt.<…>` leaves the test out of `dbt build` (a failed `error` test makes dbt skip every
  model downstream of it), then runs it alone with `dbt test`: its failure is recorded as accepted, with who, when and
  why, in the manifest and the quality page, like any override.

The default of each kind (worded for an intermediate model; seeds, indicator and gate models have their own):

| test kind | a failure means | what to do |
|---|---|---|
"""


def _placeholders(text: str) -> str:
    """``{model}`` as *model* (filled from the manifest when a test fails)."""
    text = re.sub(r"`?\{(\w+)\}`?", r"*\1*", text)
    return text.replace("|", "\\|")


def dbt_section() -> str:
    rows = []
    for kind, texts in KINDS.items():
        means, action = texts.get("*") or texts["intermediate"]
        rows.append(f"| `{kind}` | {_placeholders(means)} | {_placeholders(action)} |")
    return DBT + "\n".join(rows) + "\n"


def render_markdown() -> str:
    out = [INTRO.replace("DBT_SECTION", dbt_section().rstrip("\n"))]
    for s in load_suites():
        out += [f"## `{s.name}` — {'/'.join(s.asset)}", "", s.description, "",
                "| id | batch | expectation | threshold | severity | a failure means | what to do |",
                "|---|---|---|---|---|---|---|"]
        for e in s.expectations:
            kw = {k: v for k, v in e.kwargs.items() if k not in ("column", "column_list", "condition_parser")}
            if "value_set" in kw and len(kw["value_set"]) > 6:
                kw["value_set"] = f"{len(kw['value_set'])} values (see the suite)"
            thr = ", ".join(f"{k}={v}" for k, v in kw.items()).replace("|", "\\|")
            out.append(f"| `{e.id}` | `{e.batch}` | {e.label} | {thr} | **{e.severity}** | {e.meta['means']} | "
                       f"{e.meta['action']} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render_markdown(), end="")
