"""The open-data export (dagster_project/publication/open_data/ writes the files; the dbt model
open_indicator_results masks the small cells).

The masking rule itself is pinned by the dbt unit tests of dbt/models/publish/open_indicator_results.yml (run by
tests/dbt/test_dbt_unit_tests.py). Here: the model's compiled SQL, with the no-recovery data test
(assert_open_data_not_recoverable), on seeded random regions and on hand-made unsafe publications; the threshold
setting, refused by dbt and by the files alike; and the four files written from publish.indicator_results_open.
"""
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.publication.open_data import (
    CSV_NAME,
    FIELDS,
    PARQUET_NAME,
    README_NAME,
    SCHEMA_NAME,
    THRESHOLD_ENV,
    resolve_threshold,
    write_open_data,
)

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "eparcours-dbt"
MD = pd.Timestamp("2024-03-31")
CATALOGUE = pd.DataFrame(
    [("EP-6.1", "computed", "%"), ("EP-INS", "computed", "%"), ("EP-5.2", "computed", "jours"),
     ("1.1", "declarative", "O/N"), ("ESMS-DUI-PP", "computed", "%")],
    columns=["indicator_id", "computation", "unit"])
PROGRAMME = {"ESMS-DUI-PP": "ESMS Numérique"}
SENTINEL = 987654  # the threshold the SQL is compiled with, replaced by each case's own


def row(indicator, scope_type, scope_id, num, den, target=60.0, subgroup=None, measure_date=MD, **extra):
    value = round(100 * num / den, 2) if num is not None and den else None
    met = None if value is None or target is None else value >= target
    r = {"indicator_id": indicator, "label": f"Libellé « {indicator} »",
         "programme": PROGRAMME.get(indicator, "E-parcours"), "scope_type": scope_type, "scope_id": scope_id,
         "subgroup": subgroup, "period_start": measure_date - pd.offsets.QuarterBegin(startingMonth=1),
         "period_end": measure_date, "numerator": num, "denominator": den, "value": value, "target": target,
         "target_met": met, "status": "final" if den else "no_data", "reference_document": "note_2021_216",
         "measure_date": measure_date, "evidence_reference": None, "evidence_date": None}
    r.update(extra)
    return r


def frame(*rows):
    return pd.DataFrame(list(rows))


TYPED = """SELECT * REPLACE (CAST(numerator AS BIGINT) AS numerator, CAST(denominator AS BIGINT) AS denominator,
                  CAST(value AS DOUBLE) AS value, CAST(target AS DOUBLE) AS target,
                  CAST(target_met AS BOOLEAN) AS target_met, CAST(subgroup AS VARCHAR) AS subgroup,
                  CAST(period_start AS DATE) AS period_start, CAST(period_end AS DATE) AS period_end,
                  CAST(measure_date AS DATE) AS measure_date, CAST(evidence_reference AS VARCHAR) AS evidence_reference,
                  CAST(evidence_date AS DATE) AS evidence_date)
           FROM {name}"""


# --- the model's SQL and the no-recovery test, compiled by dbt ------------------------------------------

def _dbt(args, tmp, threshold):
    env = {**os.environ, "EPARCOURS_WAREHOUSE": str(tmp / "warehouse.duckdb"),
           "EPARCOURS_DUCKDB_TEMP": str(tmp / "duckdb_tmp"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           THRESHOLD_ENV: threshold}
    return subprocess.run(
        [str(DBT), *args, "--no-use-colors", "--project-dir", str(REPO / "dbt"), "--profiles-dir", str(REPO / "dbt"),
         "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
        cwd=REPO, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """(model SQL, test SQL) as dbt compiles them, reading "warehouse"."marts"/"ref"/"publish" tables."""
    tmp = tmp_path_factory.mktemp("dbt")
    proc = _dbt(["compile", "--select", "open_indicator_results", "assert_open_data_not_recoverable"], tmp,
                str(SENTINEL))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    out = tmp / "target" / "compiled" / "eparcours"
    model = (out / "models" / "publish" / "open_indicator_results.sql").read_text()
    check = (out / "tests" / "singular" / "assert_open_data_not_recoverable.sql").read_text()
    assert str(SENTINEL) in model and '"warehouse"."marts"."indicator_results"' in model
    return model, check


class Warehouse:
    """A DuckDB file named like the profile's (catalog "warehouse") holding the model's inputs."""

    def __init__(self, tmp_path, compiled):
        self.model, self.check = compiled
        self.con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
        for schema in ("marts", "ref", "publish"):
            self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        self.con.register("c", CATALOGUE)
        self.con.execute("CREATE OR REPLACE TABLE ref.ref_indicator_catalogue AS SELECT * FROM c")

    def results(self, rows):
        self.con.register("r", rows)
        self.con.execute(f"CREATE OR REPLACE TABLE marts.indicator_results AS {TYPED.format(name='r')}")

    def mask(self, rows, threshold):
        """Run the model on ``rows``: publish.indicator_results_open, as a DataFrame in the input's order."""
        self.results(rows)
        self.con.execute("CREATE OR REPLACE TABLE publish.indicator_results_open AS "
                         + self.model.replace(str(SENTINEL), str(threshold)))
        return self.con.execute("""
            SELECT o.* FROM publish.indicator_results_open AS o
            JOIN (SELECT *, row_number() OVER () AS n FROM marts.indicator_results) AS r
              ON r.indicator_id = o.indicator_id AND r.scope_type = o.scope_type AND r.scope_id = o.scope_id
             AND r.subgroup IS NOT DISTINCT FROM o.subgroup AND r.measure_date = o.measure_date
            ORDER BY r.n""").df()

    def publish_masking(self, rows, masked_ids):
        """A publication masking exactly ``masked_ids`` (scope_id), to feed the check with unsafe cases."""
        self.results(rows)
        ids = ", ".join(f"'{i}'" for i in masked_ids)
        self.con.execute(f"""CREATE OR REPLACE TABLE publish.indicator_results_open AS
            SELECT * REPLACE (CASE WHEN scope_id IN ({ids}) THEN NULL ELSE numerator END AS numerator,
                              CASE WHEN scope_id IN ({ids}) THEN NULL ELSE denominator END AS denominator),
                   scope_id IN ({ids}) AS masked
            FROM marts.indicator_results""")

    def recoverable(self):
        return self.con.execute(f"SELECT scope_id, how FROM ({self.check}) ORDER BY scope_id").fetchall()


@pytest.fixture
def warehouse(tmp_path, compiled):
    w = Warehouse(tmp_path, compiled)
    yield w
    w.con.close()


@pytest.mark.slow
def test_the_recovery_check_finds_what_subtraction_gives_away(warehouse):
    rows = frame(row("EP-6.1", "dac", "100000001", 2, 3), row("EP-6.1", "dac", "100000000", 0, 0),
                 row("EP-6.1", "dac", "100000002", 20, 30), row("EP-6.1", "region", "84", 22, 33))
    warehouse.publish_masking(rows, {"100000001"})                               # primary only
    assert warehouse.recoverable() == [("100000001", "region minus published structure rows")]
    warehouse.publish_masking(rows, {"100000001", "100000000"})                  # a 0/0 partner hides nothing
    assert warehouse.recoverable() == [("100000001", "region minus published structure rows")]
    warehouse.publish_masking(rows, {"100000001", "100000002"})
    assert warehouse.recoverable() == []
    warehouse.publish_masking(rows, {"84"})                                      # region = sum of the shown rows
    assert warehouse.recoverable() == [("84", "sum of published structure rows")]
    warehouse.publish_masking(rows, {"84", "100000001"})
    assert warehouse.recoverable() == []


@pytest.mark.slow
def test_no_masked_figure_can_be_recovered_on_many_random_groups(warehouse):
    """Seeded random regions (region = exact sum of 1–5 DAC/CPTS rows) under thresholds 1–12, masked by the
    model's SQL and checked by the data test's."""
    rng = random.Random(20240331)
    masked_somewhere = 0
    for case in range(60):
        rows, threshold = [], rng.randint(1, 12)
        for md in pd.date_range("2023-03-31", periods=4, freq="QE"):
            for indicator in ("EP-6.1", "EP-INS"):
                figures = []
                for i in range(rng.randint(1, 5)):
                    den = rng.choice([0, rng.randint(1, 12), rng.randint(1, 40)])
                    num = rng.randint(0, den)
                    scope = "dac" if indicator == "EP-6.1" or i % 2 else "cpts"
                    rows.append(row(indicator, scope, f"{scope[0]}{i:08d}", num, den, measure_date=md))
                    figures.append((num, den))
                rows.append(row(indicator, "region", "84", sum(n for n, _ in figures), sum(d for _, d in figures),
                                measure_date=md))
        rows = pd.DataFrame(rows)
        out = warehouse.mask(rows, threshold)
        assert len(out) == len(rows)
        assert warehouse.recoverable() == [], (case, threshold)
        small = rows.numerator.between(1, threshold) | rows.denominator.between(1, threshold)
        assert (out.loc[small, "mask_reason"] == "primary").all()
        assert out.loc[out.masked, ["numerator", "denominator", "value", "target_met"]].isna().all().all()
        assert out.loc[~out.masked, "mask_reason"].isna().all()
        masked_somewhere += int((out.mask_reason == "secondary").sum())
    assert masked_somewhere > 0  # the cases do exercise the secondary rule


@pytest.mark.slow
def test_an_unknown_indicator_or_two_region_rows_in_one_group_stop_the_model(warehouse):
    with pytest.raises(duckdb.Error, match="EP-9.9 is missing from ref_indicator_catalogue"):
        warehouse.mask(frame(row("EP-9.9", "region", "84", 40, 50)), 10)
    # Regression: structures carry no region code, so two regions would be summed into one group.
    with pytest.raises(duckdb.Error, match="Several region rows for EP-6.1 at 2024-03-31"):
        warehouse.mask(frame(row("EP-6.1", "region", "84", 40, 50), row("EP-6.1", "region", "93", 40, 50)), 10)


# --- the threshold setting ------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("raw", ["0", "dix"])
def test_dbt_refuses_an_invalid_threshold_when_it_compiles(tmp_path, raw):
    proc = _dbt(["compile", "--select", "open_indicator_results"], tmp_path, raw)
    assert proc.returncode != 0
    assert f"{THRESHOLD_ENV} must be a whole number of at least 1, not '{raw}'." in proc.stdout


@pytest.mark.parametrize("raw", ["", "abc", "0", "-3", "10.5", "1e2", "dix"])
def test_invalid_threshold_settings_are_refused_in_one_sentence(monkeypatch, raw):
    monkeypatch.setenv(THRESHOLD_ENV, raw)
    with pytest.raises(ValueError) as err:
        resolve_threshold()
    message = str(err.value)
    assert message.startswith(f"{THRESHOLD_ENV} must be a whole number of at least 1") and message.count(". ") == 0


def test_threshold_setting_default(monkeypatch):
    monkeypatch.delenv(THRESHOLD_ENV, raising=False)
    assert resolve_threshold() == 10
    monkeypatch.setenv(THRESHOLD_ENV, " 5 ")
    assert resolve_threshold() == 5


# --- the files ------------------------------------------------------------------------------------------

FILE_ROWS = frame(
    row("EP-6.1", "dac", "100000001", 2, 3), row("EP-6.1", "dac", "100000002", 20, 30),
    row("EP-6.1", "dac", "100000003", 12, 15), row("EP-6.1", "region", "84", 34, 48),
    row("ESMS-DUI-PP", "esms", "010000024", 2, 3, target=70.0), row("ESMS-DUI-PP", "esms", "010000032", 20, 30),
    row("1.1", "region", "84", None, None, target=None, target_met=True, evidence_reference="GED/charte.pdf",
        evidence_date=MD))
# What the model makes of FILE_ROWS at threshold 10 (its unit tests pin the rule): scope_id -> mask_reason
FILE_MASKS = {"100000001": "primary", "100000003": "secondary", "010000024": "primary"}


def _analysts_file(tmp_path, rows=FILE_ROWS, masks=FILE_MASKS):
    """A minimal analysts' file: publish.indicator_results and publish.indicator_results_open (with an extra
    column each, and rows stored out of order), as the publication copies them."""
    db = tmp_path / "analysts.duckdb"
    con = duckdb.connect(str(db))
    con.register("r", rows.assign(internal_note="interne"))
    con.execute("CREATE SCHEMA publish")
    con.execute(f"CREATE TABLE publish.indicator_results AS {TYPED.format(name='r')} ORDER BY scope_id DESC")
    con.execute("CREATE TEMP TABLE m (scope_id VARCHAR, mask_reason VARCHAR)")
    for scope_id, reason in masks.items():
        con.execute("INSERT INTO m VALUES (?, ?)", [scope_id, reason])
    con.execute("""CREATE TABLE publish.indicator_results_open AS
        SELECT r.* REPLACE (CASE WHEN m.scope_id IS NULL THEN r.numerator END AS numerator,
                            CASE WHEN m.scope_id IS NULL THEN r.denominator END AS denominator,
                            CASE WHEN m.scope_id IS NULL THEN r.value END AS value,
                            CASE WHEN m.scope_id IS NULL THEN r.target_met END AS target_met),
               m.scope_id IS NOT NULL AS masked, m.mask_reason
        FROM publish.indicator_results AS r LEFT JOIN m USING (scope_id)""")
    con.close()
    return db


def _values(df):
    """Each column as plain Python values (None for missing), dates as ISO strings, to compare two readings."""
    out = {}
    for f in FIELDS:
        col = df[f.name]
        if f.sql_type == "DATE":
            col = pd.to_datetime(col).dt.strftime("%Y-%m-%d")
        out[f.name] = [None if pd.isna(v) else v for v in col.astype(object)]
    return out


def test_written_files_csv_with_bom_equals_parquet_and_schema_lists_every_column(tmp_path, monkeypatch):
    monkeypatch.delenv(THRESHOLD_ENV, raising=False)
    out_dir = tmp_path / "staging" / "open"
    paths = write_open_data(_analysts_file(tmp_path), out_dir)
    assert paths == [out_dir / n for n in (CSV_NAME, PARQUET_NAME, SCHEMA_NAME, README_NAME)]
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw[3:].startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    header = text.splitlines()[0].split(";")
    assert header == [f.name for f in FIELDS]              # no internal_note, masked/mask_reason added
    assert ";ESMS Numérique;esms;010000024;" in text        # accents and leading zeros kept
    assert ";2024-01-01;2024-03-31;20;30;66.67;60.0;true;final;" in text   # ISO dates, '.' decimals
    # ordered like indicator_results.csv (programme, indicator, region first, scope id), not as stored
    assert [tuple(line.split(";")[i] for i in (0, 4)) for line in text.splitlines()[1:]] == [
        ("1.1", "84"), ("EP-6.1", "84"), ("EP-6.1", "100000001"), ("EP-6.1", "100000002"), ("EP-6.1", "100000003"),
        ("ESMS-DUI-PP", "010000024"), ("ESMS-DUI-PP", "010000032")]

    types = {"BIGINT": "Int64", "DOUBLE": "Float64", "BOOLEAN": "boolean", "VARCHAR": "string", "DATE": "string"}
    csv = pd.read_csv(paths[0], sep=";", encoding="utf-8-sig", dtype={f.name: types[f.sql_type] for f in FIELDS})
    parquet = pd.read_parquet(paths[1])
    assert list(parquet.columns) == header
    assert _values(csv) == _values(parquet)
    assert len(csv) == len(FILE_ROWS)
    assert dict(zip(csv.scope_id, csv.mask_reason.astype(object).where(csv.masked, None))) == {
        "100000001": "primary", "100000003": "secondary", "100000002": None, "84": None,
        "010000024": "primary", "010000032": None}
    small = parquet[parquet.scope_id == "010000024"].iloc[0]
    assert all(pd.isna(small[c]) for c in ("numerator", "denominator", "value", "target_met"))
    assert small["target"] == 70.0

    resource = json.loads(paths[2].read_text(encoding="utf-8"))
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == header
    assert all(f["type"] in {"string", "integer", "number", "boolean", "date"} and f["title"] and f["description"]
               for f in fields)
    assert {f["name"]: f["type"] for f in fields}["numerator"] == "integer"
    assert resource["path"] == CSV_NAME and resource["dialect"]["delimiter"] == ";"
    assert "entre 1 et 10 inclus" in resource["description"] and "Seuil appliqué : 10." in resource["description"]
    assert resource["licenses"][0]["title"] == "Licence Ouverte 2.0"

    readme = paths[3].read_text(encoding="utf-8")
    assert "Licence Ouverte 2.0" in readme and "## Contact" in readme
    assert "Secret statistique (seuil : 10)" in readme and "entre 1 et 10 inclus" in readme
    assert "3 ligne(s) sur 7 sont masquées" in readme


def test_written_files_state_the_threshold_setting_and_refuse_a_bad_one(tmp_path, monkeypatch):
    db = _analysts_file(tmp_path, masks={})                  # at 1, no 2/3 row is small any more
    monkeypatch.setenv(THRESHOLD_ENV, "1")
    paths = write_open_data(db, tmp_path / "open")
    assert "Seuil appliqué : 1." in json.loads(paths[2].read_text(encoding="utf-8"))["description"]
    assert "0 ligne(s) sur 7 sont masquées" in paths[3].read_text(encoding="utf-8")
    monkeypatch.setenv(THRESHOLD_ENV, "zéro")
    with pytest.raises(ValueError, match=THRESHOLD_ENV):
        write_open_data(db, tmp_path / "refused")
    assert not (tmp_path / "refused").exists()


@pytest.mark.parametrize("change", ["row added", "figure changed"])
def test_a_masked_table_built_from_other_results_is_refused(tmp_path, change):
    db = _analysts_file(tmp_path)
    con = duckdb.connect(str(db))
    if change == "row added":   # indicator_results recomputed with one more row, the open table not rebuilt
        con.execute("INSERT INTO publish.indicator_results SELECT * REPLACE ('100000009' AS scope_id) "
                    "FROM publish.indicator_results WHERE scope_id = '100000002'")
    else:
        con.execute("UPDATE publish.indicator_results SET numerator = 21 WHERE scope_id = '100000002'")
    con.close()
    with pytest.raises(RuntimeError, match="publish.indicator_results_open does not match publish.indicator_results "
                                           r"\(1 row\(s\) differ\)"):
        write_open_data(db, tmp_path / "open")
    assert not (tmp_path / "open").exists()
