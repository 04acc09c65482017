"""The open-data export: small-cell suppression on hand-computed groups, the no-recovery check, the threshold
setting and the four files written (dagster_project/publication/open_data.py)."""
import json
import random

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
    recoverable_cells,
    resolve_threshold,
    suppress,
    write_open_data,
)

MD = pd.Timestamp("2024-03-31")
CATALOGUE = pd.DataFrame(
    [("EP-6.1", "computed", "%"), ("EP-INS", "computed", "%"), ("EP-5.2", "computed", "jours"),
     ("1.1", "declarative", "O/N"), ("ESMS-DUI-PP", "computed", "%")],
    columns=["indicator_id", "computation", "unit"])
PROGRAMME = {"ESMS-DUI-PP": "ESMS Numérique"}


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


def masks(out):
    """scope_id -> mask_reason of the masked rows (one indicator, one date in these cases)."""
    return {r.scope_id: r.mask_reason for r in out.itertuples() if r.masked}


def test_a_structure_with_2_of_3_is_masked_whole_row_but_keeps_its_target():
    rows = frame(row("ESMS-DUI-PP", "esms", "010000024", 2, 3, target=70.0),
                 row("ESMS-DUI-PP", "esms", "010000032", 12, 20, target=70.0))
    out = suppress(rows, CATALOGUE, 10)
    small, big = out.iloc[0], out.iloc[1]
    assert small["masked"] and small["mask_reason"] == "primary"
    assert all(pd.isna(small[c]) for c in ("numerator", "denominator", "value", "target_met"))
    assert small["target"] == 70.0                       # the target is public, only the side of it is not
    assert not big["masked"] and pd.isna(big["mask_reason"])
    assert (big["numerator"], big["denominator"], big["value"], big["target_met"]) == (12, 20, 60.0, False)


def test_one_masked_structure_masks_the_next_one_by_smallest_nonzero_denominator_then_scope_id():
    # Regression: with only A hidden, region − published = 48 − 14 − 12 − 20 = 2, 63 − 15 − 15 − 30 = 3 = A.
    rows = frame(row("EP-6.1", "dac", "100000004", 14, 15),
                 row("EP-6.1", "dac", "100000001", 2, 3),
                 row("EP-6.1", "dac", "100000000", 0, 0),     # 0/0: smallest denominator, but hides nothing
                 row("EP-6.1", "dac", "100000003", 12, 15),   # ties 100000004 on 15: smaller scope_id wins
                 row("EP-6.1", "dac", "100000002", 20, 30),
                 row("EP-6.1", "region", "84", 48, 63))
    out = suppress(rows, CATALOGUE, 10)
    assert masks(out) == {"100000001": "primary", "100000003": "secondary"}
    region = out[out.scope_type == "region"].iloc[0]
    assert (region["numerator"], region["denominator"], region["value"]) == (48, 63, 76.19)
    # What a reader can compute: 48 − 14 − 20 − 0 = 14 and 63 − 15 − 30 − 0 = 18, i.e. A + B, not A (2/3).
    shown = out[(out.scope_type == "dac") & ~out.masked]
    assert (48 - shown.numerator.sum(), 63 - shown.denominator.sum()) == (14, 18)
    assert recoverable_cells(rows, out).empty


def test_two_masked_structures_need_no_secondary():
    rows = frame(row("EP-6.1", "dac", "100000001", 2, 3), row("EP-6.1", "dac", "100000002", 4, 8),
                 row("EP-6.1", "dac", "100000003", 20, 30), row("EP-6.1", "region", "84", 26, 41))
    out = suppress(rows, CATALOGUE, 10)
    assert masks(out) == {"100000001": "primary", "100000002": "primary"}
    assert recoverable_cells(rows, out).empty


def test_a_small_region_row_is_masked_primary_and_its_group_needs_no_secondary():
    rows = frame(row("EP-6.1", "dac", "100000001", 4, 12), row("EP-6.1", "dac", "100000002", 0, 18),
                 row("EP-6.1", "region", "84", 4, 30))
    out = suppress(rows, CATALOGUE, 10)
    assert masks(out) == {"84": "primary", "100000001": "primary"}
    assert out[out.scope_id == "100000002"][["numerator", "denominator"]].iloc[0].tolist() == [0, 18]
    assert recoverable_cells(rows, out).empty


def test_a_region_equal_to_its_only_carrying_structure_is_masked_with_it():
    rows = frame(row("EP-6.1", "dac", "100000001", 3, 20), row("EP-6.1", "dac", "100000002", 0, 0),
                 row("EP-6.1", "region", "84", 3, 20))
    out = suppress(rows, CATALOGUE, 10)
    assert masks(out) == {"84": "primary", "100000001": "primary"}


def test_when_the_region_is_not_the_exact_sum_the_lone_masked_cell_still_gets_a_partner():
    # Region alone small (10 < 11: a dossier shared by two DACs counted once): B (20 < 25) hides it.
    rows = frame(row("EP-6.1", "dac", "100000001", 11, 25), row("EP-6.1", "dac", "100000002", 0, 20),
                 row("EP-6.1", "region", "84", 10, 40))
    assert masks(suppress(rows, CATALOGUE, 10)) == {"84": "primary", "100000002": "secondary"}
    # One small structure and no other structure carrying anything: the region row is the partner.
    rows = frame(row("EP-6.1", "dac", "100000001", 3, 20), row("EP-6.1", "dac", "100000002", 0, 0),
                 row("EP-6.1", "region", "84", 15, 30))
    assert masks(suppress(rows, CATALOGUE, 10)) == {"100000001": "primary", "84": "secondary"}


def test_groups_are_per_indicator_date_and_subgroup_and_join_dac_with_cpts():
    q2 = pd.Timestamp("2024-06-30")
    rows = frame(row("EP-INS", "dac", "100000001", 2, 3), row("EP-INS", "cpts", "200000001", 12, 15),
                 row("EP-INS", "cpts", "200000002", 30, 40), row("EP-INS", "region", "84", 44, 58),
                 # the same structures next quarter: nothing small, nothing masked
                 row("EP-INS", "dac", "100000001", 12, 13, measure_date=q2),
                 row("EP-INS", "cpts", "200000001", 12, 15, measure_date=q2),
                 row("EP-INS", "region", "84", 24, 28, measure_date=q2))
    out = suppress(rows, CATALOGUE, 10)
    assert [(r.scope_id, r.measure_date, r.mask_reason) for r in out.itertuples() if r.masked] == [
        ("100000001", MD, "primary"), ("200000001", MD, "secondary")]


@pytest.mark.parametrize("num, den, masked", [
    (0, 5, True),        # 5 in 1..10: the value (0 %) would tell about 5 dossiers
    (0, 0, False),       # nothing to protect
    (0, 50, False),
    (None, None, False),
    (1, 0, True),        # ESMS-MSS-like: one message, no active DUI
    (50, 50, False),
])
def test_zero_and_null_figures(num, den, masked):
    out = suppress(frame(row("ESMS-DUI-PP", "esms", "010000024", num, den)), CATALOGUE, 10)
    assert bool(out.iloc[0]["masked"]) is masked


@pytest.mark.parametrize("threshold, num, den, masked", [
    (10, 10, 40, True), (10, 11, 40, False), (10, 11, 10, True), (10, 11, 11, False), (10, 0, 10, True),
    (3, 3, 20, True), (3, 4, 20, False), (1, 1, 20, True), (1, 2, 20, False),
])
def test_threshold_boundary_is_inclusive(threshold, num, den, masked):
    out = suppress(frame(row("ESMS-DUI-PP", "esms", "010000024", num, den)), CATALOGUE, threshold)
    assert bool(out.iloc[0]["masked"]) is masked


def test_days_and_declaratives_are_never_masked():
    rows = frame(row("EP-5.2", "region", "84", 5, None, target=183.0, value=5.0, target_met=True),
                 row("1.1", "region", "84", None, None, target=None, target_met=True,
                     evidence_reference="GED/charte.pdf", evidence_date=MD),
                 row("EP-6.1", "region", "84", 2, 3))
    out = suppress(rows, CATALOGUE, 10)
    assert out["masked"].tolist() == [False, False, True]
    days, declared = out.iloc[0], out.iloc[1]
    assert (days["numerator"], days["value"], days["target_met"]) == (5, 5.0, True)
    assert bool(declared["target_met"]) is True and pd.isna(declared["value"])
    assert out["mask_reason"].isna().tolist() == [True, True, False]
    assert declared["evidence_reference"] == "GED/charte.pdf"


def test_suppress_is_pure_and_keeps_index_order_and_drops_unknown_columns():
    rows = frame(row("EP-6.1", "dac", "100000001", 2, 3), row("EP-6.1", "region", "84", 2, 3),
                 row("ESMS-DUI-PP", "esms", "010000024", 30, 40, internal_note="not for the public"))
    rows.index = [7, 3, 5]
    before = rows.copy()
    out = suppress(rows, CATALOGUE, 10)
    pd.testing.assert_frame_equal(rows, before)
    assert out.index.tolist() == [7, 3, 5]
    assert list(out.columns) == [f.name for f in FIELDS]


def test_an_indicator_missing_from_the_catalogue_is_refused():
    with pytest.raises(ValueError, match="EP-9.9 are missing from publish.indicator_catalogue"):
        suppress(frame(row("EP-9.9", "region", "84", 40, 50)), CATALOGUE, 10)


def test_two_region_rows_in_one_group_or_a_missing_column_are_refused():
    # Regression: structures carry no region code here, so two regions would be summed into one group.
    rows = frame(row("EP-6.1", "region", "84", 40, 50), row("EP-6.1", "region", "93", 40, 50))
    with pytest.raises(ValueError, match="Several region rows for EP-6.1"):
        suppress(rows, CATALOGUE, 10)
    with pytest.raises(ValueError, match="lacks column.s. denominator"):
        suppress(rows.drop(columns="denominator"), CATALOGUE, 10)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "10", True, None])
def test_invalid_threshold_arguments_are_refused(bad):
    with pytest.raises(ValueError, match=r"^The open-data threshold must be a whole number of at least 1, not "):
        suppress(frame(row("EP-6.1", "region", "84", 40, 50)), CATALOGUE, bad)


@pytest.mark.parametrize("raw", ["", "abc", "0", "-3", "10.5", "1e2", "dix"])
def test_invalid_threshold_settings_are_refused_in_one_sentence(monkeypatch, raw):
    monkeypatch.setenv(THRESHOLD_ENV, raw)
    with pytest.raises(ValueError) as err:
        resolve_threshold()
    message = str(err.value)
    assert message.startswith(f"{THRESHOLD_ENV} must be a whole number of at least 1") and message.count(". ") == 0


def test_threshold_setting_default_and_precedence(monkeypatch):
    monkeypatch.delenv(THRESHOLD_ENV, raising=False)
    assert resolve_threshold() == 10
    monkeypatch.setenv(THRESHOLD_ENV, "5")
    assert resolve_threshold() == 5
    assert resolve_threshold(12) == 12                     # the argument wins over the setting


def _published(rows, masked_ids):
    """A publication masking exactly ``masked_ids`` (scope_id), to feed the check with unsafe cases."""
    out = rows.copy()
    out["masked"] = out["scope_id"].isin(masked_ids)
    out.loc[out["masked"], ["numerator", "denominator"]] = None
    return out


def test_the_recovery_check_finds_what_subtraction_gives_away():
    rows = frame(row("EP-6.1", "dac", "100000001", 2, 3), row("EP-6.1", "dac", "100000000", 0, 0),
                 row("EP-6.1", "dac", "100000002", 20, 30), row("EP-6.1", "region", "84", 22, 33))
    found = recoverable_cells(rows, _published(rows, {"100000001"}))             # primary only
    assert found[["scope_id", "how"]].values.tolist() == [["100000001", "region minus published structure rows"]]
    found = recoverable_cells(rows, _published(rows, {"100000001", "100000000"}))  # a 0/0 partner hides nothing
    assert found["scope_id"].tolist() == ["100000001"]
    assert recoverable_cells(rows, _published(rows, {"100000001", "100000002"})).empty
    found = recoverable_cells(rows, _published(rows, {"84"}))                    # region = sum of the shown rows
    assert found[["scope_id", "how"]].values.tolist() == [["84", "sum of published structure rows"]]
    assert recoverable_cells(rows, _published(rows, {"84", "100000001"})).empty


def test_no_masked_figure_can_be_recovered_on_many_random_groups():
    """Seeded random regions (region = exact sum of 1–5 DAC/CPTS rows) under thresholds 1–12."""
    rng = random.Random(20240331)
    for case in range(60):
        rows, threshold = [], rng.randint(1, 12)
        for q, md in enumerate(pd.date_range("2023-03-31", periods=4, freq="QE")):
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
        out = suppress(rows, CATALOGUE, threshold)
        assert recoverable_cells(rows, out).empty, (case, threshold)
        small = rows.numerator.between(1, threshold) | rows.denominator.between(1, threshold)
        assert (out.loc[small, "mask_reason"] == "primary").all()
        assert out.loc[out.masked, ["numerator", "denominator", "value", "target_met"]].isna().all().all()
        assert not out.loc[~out.masked, "mask_reason"].notna().any()


# --- the files ------------------------------------------------------------------------------------------

def _warehouse(tmp_path, rows):
    """A minimal analysts' file: publish.indicator_results (with an extra column) and the catalogue."""
    db = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    con.register("r", rows.assign(internal_note="interne"))
    con.register("c", CATALOGUE.assign(label="x", retired=False))
    con.execute("CREATE SCHEMA publish")
    con.execute("""CREATE TABLE publish.indicator_results AS
                   SELECT * REPLACE (CAST(numerator AS BIGINT) AS numerator, CAST(denominator AS BIGINT) AS denominator,
                          CAST(value AS DOUBLE) AS value, CAST(target AS DOUBLE) AS target,
                          CAST(target_met AS BOOLEAN) AS target_met, CAST(subgroup AS VARCHAR) AS subgroup,
                          CAST(period_start AS DATE) AS period_start, CAST(period_end AS DATE) AS period_end,
                          CAST(measure_date AS DATE) AS measure_date,
                          CAST(evidence_reference AS VARCHAR) AS evidence_reference,
                          CAST(evidence_date AS DATE) AS evidence_date)
                   FROM r""")
    con.execute("CREATE TABLE publish.indicator_catalogue AS SELECT * FROM c")
    con.close()
    return db


FILE_ROWS = frame(
    row("EP-6.1", "dac", "100000001", 2, 3), row("EP-6.1", "dac", "100000002", 20, 30),
    row("EP-6.1", "dac", "100000003", 12, 15), row("EP-6.1", "region", "84", 34, 48),
    row("ESMS-DUI-PP", "esms", "010000024", 2, 3, target=70.0), row("ESMS-DUI-PP", "esms", "010000032", 20, 30),
    row("1.1", "region", "84", None, None, target=None, target_met=True, evidence_reference="GED/charte.pdf",
        evidence_date=MD))


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
    paths = write_open_data(_warehouse(tmp_path, FILE_ROWS), out_dir)
    assert paths == [out_dir / n for n in (CSV_NAME, PARQUET_NAME, SCHEMA_NAME, README_NAME)]
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw[3:].startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    header = text.splitlines()[0].split(";")
    assert header == [f.name for f in FIELDS]              # no internal_note, masked/mask_reason added
    assert ";ESMS Numérique;esms;010000024;" in text        # accents and leading zeros kept
    assert ";2024-01-01;2024-03-31;20;30;66.67;60.0;true;final;" in text   # ISO dates, '.' decimals

    types = {"BIGINT": "Int64", "DOUBLE": "Float64", "BOOLEAN": "boolean", "VARCHAR": "string", "DATE": "string"}
    csv = pd.read_csv(paths[0], sep=";", encoding="utf-8-sig", dtype={f.name: types[f.sql_type] for f in FIELDS})
    parquet = pd.read_parquet(paths[1])
    assert list(parquet.columns) == header
    assert _values(csv) == _values(parquet)
    assert len(csv) == len(FILE_ROWS)
    assert dict(zip(csv.scope_id, csv.mask_reason.astype(object).where(csv.masked, None))) == {
        "100000001": "primary", "100000003": "secondary", "100000002": None, "84": None,
        "010000024": "primary", "010000032": None}
    assert recoverable_cells(FILE_ROWS, parquet.assign(measure_date=pd.to_datetime(parquet.measure_date))).empty

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


def test_written_files_follow_the_threshold_setting_and_refuse_a_bad_one(tmp_path, monkeypatch):
    db = _warehouse(tmp_path, FILE_ROWS)
    monkeypatch.setenv(THRESHOLD_ENV, "1")                   # at 1, no 2/3 row is small any more
    paths = write_open_data(db, tmp_path / "open")
    assert "Seuil appliqué : 1." in json.loads(paths[2].read_text(encoding="utf-8"))["description"]
    assert pd.read_parquet(paths[1])["masked"].sum() == 0
    assert write_open_data(db, tmp_path / "open2", threshold=2)   # the argument wins over the setting
    assert pd.read_parquet(tmp_path / "open2" / PARQUET_NAME)["mask_reason"].tolist().count("secondary") == 1
    monkeypatch.setenv(THRESHOLD_ENV, "zéro")
    with pytest.raises(ValueError, match=THRESHOLD_ENV):
        write_open_data(db, tmp_path / "refused")
    assert not (tmp_path / "refused").exists()
