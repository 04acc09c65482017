"""Ingestion rules of the landing contract, on small files written by hand."""
import csv
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingestion.engine import discover, finess_ok, ingest_landing, ins_ok
from dagster_project.ingestion.specs import SPECS, spec

MSS_HEADER = spec("mss_messages").column_names


def mss_row(mid, sent="2024-03-05T14:02:11+01:00", bal_type="ORG", finess="010000024", status="DELIVERED"):
    return [mid, sent, "secretariat@ch.mssante.fr", bal_type, finess, "2", "PRO|ORG", "O", "", "1200", "1", status]


def write(path: Path, rows, header=None, delimiter=";", encoding="utf-8", newline_at_end=True):
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    if header is not None:
        lines.append(delimiter.join(header))
    lines += [delimiter.join(r) for r in rows]
    text = "\n".join(lines) + ("\n" if newline_at_end else "")
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield c
    c.close()


def quarantine(con):
    return con.execute(
        "SELECT file_name, line_number, column_name, value, rule, severity, reason FROM raw.quarantine "
        "ORDER BY file_name, line_number, column_name").fetchall()


# -- identifiers: the SQL predicates used at ingestion, on the real test vectors -----------------------

def test_ins_rule_on_real_test_vectors(shared_reference):
    rows = list(csv.DictReader(open(shared_reference / "nir_ins_test_vectors.csv"), delimiter=";"))
    c = duckdb.connect()
    for r in rows:
        got = c.execute(f"SELECT coalesce({ins_ok('?')}, false)", [r["nir"]] * 3).fetchone()[0]
        assert got == (r["expected_valid"] == "true"), r


def test_finess_rule_on_real_etalab_numbers(shared_reference):
    lines = (shared_reference / "etalab-cs1100502-stock-20260512-0339.EXCERPT-15-lines.csv").read_text(
        encoding="utf-8").splitlines()[1:]
    numbers = [f for line in lines for f in line.split(";")[1:3]]
    assert len(numbers) == 28
    c = duckdb.connect()
    check = f"SELECT coalesce({finess_ok('$1')}, false)"
    for n in numbers:
        assert c.execute(check, [n]).fetchone()[0], n
        wrong = n[:8] + str((int(n[8]) + 1) % 10)
        assert not c.execute(check, [wrong]).fetchone()[0], wrong
    for bad in ("12345678", "0100000245", "AB0000024", ""):
        assert not c.execute(check, [bad]).fetchone()[0], bad


# -- the real FINESS excerpt -----------------------------------------------------------------------------

def test_real_finess_etalab_excerpt_ingests(tmp_path, con, shared_reference):
    landing = tmp_path / "landing"
    (landing / "finess").mkdir(parents=True)
    shutil.copy(shared_reference / "etalab-cs1100502-stock-20260512-0339.EXCERPT-15-lines.csv",
                landing / "finess" / "etalab-cs1100502-stock-20260512-0339.csv")
    report = ingest_landing(con, landing)
    assert not report.refused and not report.unknown_files
    rows = con.execute("SELECT nofinesset, nofinessej, departement, categetab, _line_number, _delivery_key "
                       "FROM raw.finess_structures ORDER BY _line_number").fetchall()
    assert len(rows) == 14
    assert rows[0] == ("010000024", "010780054", "01", "355", 2, "2026-05-12")
    assert {r[2] for r in rows} >= {"9A", "9B", "9C", "9D", "9F"}
    assert quarantine(con) == []  # every line of the real file is valid


# -- bad rows: quarantined with file, line, rule; the rest loads ----------------------------------------

def test_bad_rows_are_quarantined_and_the_rest_loads(tmp_path, con):
    landing = tmp_path / "landing"
    write(landing / "mss/mss_messages_2024-03.csv", [
        mss_row("m1"),
        mss_row("m2", finess="010000025"),                       # optional FINESS, wrong key -> flagged
        mss_row("m3", sent="2024-03-32T10:00:00+01:00"),         # bad timestamp -> rejected
        mss_row("m4", bal_type="XXX"),                            # unknown code -> rejected
        mss_row("m1"),                                            # duplicated row -> rejected
        mss_row("m6", status=""),                                 # required field empty -> rejected
        mss_row("m7")[:5],                                        # truncated last line -> rejected
    ], header=MSS_HEADER, newline_at_end=False)
    report = ingest_landing(con, landing)
    (res,) = [r for r in report.results if r.file.endswith("2024-03.csv")]
    assert (res.rows_loaded, res.rows_rejected, res.values_flagged) == (2, 5, 1)
    assert sorted(r[0] for r in con.execute("SELECT message_id FROM raw.mss_messages").fetchall()) == ["m1", "m2"]
    q = {(line, rule, sev) for _, line, _, _, rule, sev, _ in quarantine(con)}
    assert q == {(3, "bad_finess", "flagged"), (4, "bad_timestamp", "rejected"), (5, "unknown_code", "rejected"),
                 (6, "duplicate_key", "rejected"), (7, "missing_required", "rejected"),
                 (8, "truncated_line", "rejected")}
    reasons = {line: reason for _, line, _, _, _, _, reason in quarantine(con)}
    assert "repeats the row of line 2" in reasons[6]
    assert "sent_at = '2024-03-32T10:00:00+01:00' is not an ISO 8601 timestamp" in reasons[4]
    assert "delivery_status is required" in reasons[7]
    # lineage of the loaded rows: the physical line numbers of the file
    assert con.execute("SELECT _line_number FROM raw.mss_messages ORDER BY 1").fetchall() == [(2,), (3,)]


def test_unreadable_file_is_refused_by_name_and_others_load(tmp_path, con):
    landing = tmp_path / "landing"
    write(landing / "mss/mss_messages_2024-01.csv", [mss_row("ok1")], header=MSS_HEADER)
    write(landing / "mss/mss_messages_2024-02.csv", [["a", "b"]], header=["x", "y"], delimiter=",")
    write(landing / "mss/mss_messages_2024-03.csv", [mss_row("z")[1:]], header=MSS_HEADER[1:])
    (landing / "mss/mss_messages_2024-04.csv").write_bytes(b"")
    (landing / "mss/notes.txt").write_text("hello")
    report = ingest_landing(con, landing)
    refused = {r.file: r.message for r in report.refused}
    assert refused == {
        "mss/mss_messages_2024-02.csv": "wrong separator: expected ';' (found ',' instead)",
        "mss/mss_messages_2024-03.csv": "missing required column(s): message_id",
        "mss/mss_messages_2024-04.csv": "the file is empty",
    }
    assert report.unknown_files == ["mss/notes.txt"]
    assert con.execute("SELECT message_id FROM raw.mss_messages").fetchall() == [("ok1",)]
    assert con.execute("SELECT count(*) FROM raw.quarantine WHERE severity = 'file_refused'").fetchone()[0] == 3


def test_extra_columns_are_kept_and_columns_may_be_reordered(tmp_path, con):
    landing = tmp_path / "landing"
    header = list(reversed(MSS_HEADER)) + ["commentaire_operateur"]
    write(landing / "mss/mss_messages_2024-01.csv", [list(reversed(mss_row("m1"))) + ["relance"]], header=header)
    ingest_landing(con, landing)
    assert con.execute("SELECT message_id, delivery_status, _extra->>'commentaire_operateur' "
                       "FROM raw.mss_messages").fetchall() == [("m1", "DELIVERED", "relance")]


# -- encodings -------------------------------------------------------------------------------------------

def test_windows_1252_and_bom_are_detected(tmp_path, con):
    landing = tmp_path / "landing"
    header = spec("ror_eg").column_names
    row = ["EG1", "010000024", "010780054", "CH de Fleyriat – Bourg-en-Bresse œuvre", "355", "84", ""]
    write(landing / "ror/ror_eg_20240101.csv", [row], header=header, encoding="cp1252")
    p = write(landing / "ror/ror_eg_20240401.csv", [row], header=header)
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    report = ingest_landing(con, landing)
    assert {r.file: r.encoding for r in report.results if r.table == "ror_eg"} == {
        "ror/ror_eg_20240101.csv": "cp1252", "ror/ror_eg_20240401.csv": "utf-8-sig"}
    names = con.execute("SELECT DISTINCT raison_sociale, id_eg FROM raw.ror_eg").fetchall()
    assert names == [("CH de Fleyriat – Bourg-en-Bresse œuvre", "EG1")]


# -- idempotence and re-delivery ---------------------------------------------------------------------------

def test_ingesting_the_same_files_twice_changes_nothing(tmp_path, con):
    landing = tmp_path / "landing"
    write(landing / "mss/mss_messages_2024-01.csv", [mss_row("a"), mss_row("b", bal_type="?")], header=MSS_HEADER)
    ingest_landing(con, landing)
    snap = lambda: (con.execute("SELECT * EXCLUDE (_ingested_at) FROM raw.mss_messages ORDER BY 1").fetchall(),
                    con.execute("SELECT * EXCLUDE (ingested_at) FROM raw.quarantine ORDER BY 1, 5").fetchall(),
                    con.execute("SELECT count(*) FROM raw.ingested_files").fetchone())
    before = snap()
    report = ingest_landing(con, landing)
    assert [r.status for r in report.results] == ["unchanged"]
    assert snap() == before


def test_a_correction_copied_in_place_with_the_same_size_and_mtime_is_ingested(tmp_path, con):
    # `cp -p` or `rsync -t` of a corrected file: same name, same size, same modification time, new content
    landing = tmp_path / "landing"
    path = write(landing / "mss/mss_messages_2024-01.csv", [mss_row("a"), mss_row("b")], header=MSS_HEADER)
    ingest_landing(con, landing)
    st = path.stat()
    corrected = write(tmp_path / "corrected.csv", [mss_row("a"), mss_row("c")], header=MSS_HEADER)
    assert corrected.stat().st_size == st.st_size
    os.utime(corrected, ns=(st.st_atime_ns, st.st_mtime_ns))
    shutil.copy2(corrected, path)                                   # keeps the mtime, as cp -p does
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    report = ingest_landing(con, landing)
    assert [(r.file, r.status) for r in report.results] == [("mss/mss_messages_2024-01.csv", "loaded")]
    assert con.execute("SELECT message_id FROM raw.mss_messages ORDER BY 1").fetchall() == [("a",), ("c",)]
    # and the next run proves by size, mtime and ctime that nothing changed: not hashed, not loaded
    assert [r.status for r in ingest_landing(con, landing).results] == ["unchanged"]


def test_redelivered_month_replaces_the_earlier_delivery(tmp_path, con):
    landing = tmp_path / "landing"
    first = write(landing / "mss/mss_messages_2024-01.csv", [mss_row("a"), mss_row("b"), mss_row("c", bal_type="?")],
                  header=MSS_HEADER)
    write(landing / "mss/mss_messages_2024-02.csv", [mss_row("feb")], header=MSS_HEADER)
    ingest_landing(con, landing)
    assert con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0] == 1
    # corrections arrive later as a second delivery of January
    second = write(landing / "mss/mss_messages_2024-01_v2.csv", [mss_row("a"), mss_row("b2"), mss_row("d")],
                   header=MSS_HEADER)
    t = time.time()
    os.utime(first, (t - 60, t - 60))
    os.utime(second, (t, t))
    report = ingest_landing(con, landing)
    assert [(r.file, r.status) for r in report.results if r.status != "unchanged"] == [
        ("mss/mss_messages_2024-01_v2.csv", "loaded")]
    rows = con.execute("SELECT message_id, _file_name FROM raw.mss_messages ORDER BY 1").fetchall()
    assert rows == [("a", "mss/mss_messages_2024-01_v2.csv"), ("b2", "mss/mss_messages_2024-01_v2.csv"),
                    ("d", "mss/mss_messages_2024-01_v2.csv"), ("feb", "mss/mss_messages_2024-02.csv")]
    assert con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0] == 0  # the bad row was corrected
    status = dict(con.execute("SELECT file_name, status FROM raw.ingested_files").fetchall())
    assert status["mss/mss_messages_2024-01.csv"] == "replaced"
    # and a fresh warehouse fed with both files at once ends in the same state
    c2 = duckdb.connect(str(tmp_path / "fresh.duckdb"))
    ingest_landing(c2, landing)
    assert c2.execute("SELECT message_id FROM raw.mss_messages ORDER BY 1").fetchall() == [(r[0],) for r in rows]


def test_snapshots_are_all_kept_with_their_extraction_date(tmp_path, con):
    landing = tmp_path / "landing"
    header = spec("coord_structures").column_names
    write(landing / "coordination/coord_structures_20240101.csv", [["S1", "010000024", "DAC", "DAC 01", "O", "O"]],
          header=header)
    write(landing / "coordination/coord_structures_20240401.csv", [["S1", "010000024", "DAC", "DAC 01", "O", "O"],
                                                                   ["S2", "970100400", "CPTS", "CPTS", "O", "N"]],
          header=header)
    ingest_landing(con, landing)
    assert con.execute("SELECT _delivery_key, count(*) FROM raw.coord_structures GROUP BY 1 ORDER BY 1").fetchall() \
        == [("2024-01-01", 1), ("2024-04-01", 2)]


def test_discover_matches_every_contract_file_name(tmp_path):
    names = {
        "finess/etalab-cs1100507-stock-20240102-0330.csv": ["finess_structures", "finess_geolocalisation"],
        "finess/autorisations_20240102.csv": ["finess_autorisations"],
        "ror/ror_eg_20240101.csv": ["ror_eg"], "ror/ror_ue_20240101.csv": ["ror_ue"],
        "ror/ror_ue_activite_20240101.csv": ["ror_ue_activite"], "ror/ror_ue_contact_20240101.csv": ["ror_ue_contact"],
        "mss/mss_messages_2024-01.csv": ["mss_messages"], "mss/annuaire_mssante_20240115.csv": ["annuaire_mssante"],
        "dmp/dmp_documents_2024-01.csv": ["dmp_documents"], "dui/dui_dossiers_2024-01.csv": ["dui_dossiers"],
        "dui/dui_evenements_2024-01.csv": ["dui_evenements"], "dui/dui_projets_2024-01.csv": ["dui_projets"],
        "dui/dui_agenda_2024-01.csv": ["dui_agenda"], "dui/esms_file_active_20240101.csv": ["esms_file_active"],
        "dui/esms_projets_20240101.csv": ["esms_projets"],
        "coordination/coord_structures_20240101.csv": ["coord_structures"],
        "coordination/coord_dossiers_2024-01.csv": ["coord_dossiers"],
        "coordination/coord_evenements_2024-01.csv": ["coord_evenements"],
        "coordination/coord_equipe_2024-01.csv": ["coord_equipe"],
        "coordination/coord_messages_2024-01.csv": ["coord_messages"],
        "coordination/cpts_membres_20240101.csv": ["cpts_membres"],
        "declaratif/declaratif_20240331.csv": ["declaratif"],
    }
    for rel in names:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    by_table, unknown = discover(tmp_path)
    assert unknown == []
    found = {t: [p.relative_to(tmp_path).as_posix() for p, _ in files] for t, files in by_table.items()}
    for rel, tables in names.items():
        for t in tables:
            assert rel in found[t]
    assert {s.name for s in SPECS} == {t for ts in names.values() for t in ts}


# -- batches on two connections at once: the same warehouse as one after the other ---------------------------

def _state(con):
    tables = {"mss_messages": "_ingested_at", "dmp_documents": "_ingested_at", "quarantine": "ingested_at", "ingested_files": "ingested_at",
              "delivery_profiles": None, "delivery_structures": None, "delivery_columns": None}
    return {t: sorted(map(repr, con.execute(f"SELECT * {f'EXCLUDE ({ex})' if ex else ''} FROM raw.{t}").fetchall()))
            for t, ex in tables.items()}


def test_batches_loaded_in_parallel_give_the_warehouse_of_one_connection(tmp_path, monkeypatch):
    from dagster_project.ingestion import engine

    landing = tmp_path / "landing"
    # eight months, each its own batch: bad values, a duplicate, a damaged file, a refusal
    for m in range(1, 9):
        rows = [mss_row(f"m{m}-{i}", sent=f"2024-{m:02d}-0{1 + i % 9}T10:00:00+01:00") for i in range(30)]
        rows += [mss_row(f"m{m}-x", finess="010000025"), mss_row(f"m{m}-y", bal_type="XXX"), rows[0]]
        if m == 3:
            rows.insert(5, ['"broken'] + rows[5][1:])  # an unbalanced quote: the exact reader
        write(landing / f"mss/mss_messages_2024-{m:02d}.csv", rows, header=MSS_HEADER)
    (landing / "mss/mss_messages_2024-09.csv").write_bytes(b"")
    write(landing / "mss/mss_messages_2024-02_v2.csv", [mss_row("fix")], header=MSS_HEADER)  # a re-delivery
    for m in range(1, 5):  # a table with patient identifiers: pseudonymised on every connection, bad FINESS
        write(landing / f"dmp/dmp_documents_2024-{m:02d}.csv", [
            [f"d{m}-{i}", f"2024-{m:02d}-10T09:00:00+01:00", "180012B01234567" if i % 2 else "",
             "1.2.250.1.213.1.4.8", "ATTEST-RESID", "urn:ans:ci-sis:cse-mde:2023", "", "010000024" if i % 3 else "010000025", "",
             "DUI", "APPROVED"] for i in range(12)], header=spec("dmp_documents").column_names)
    states = []
    for workers in (1, 2):
        monkeypatch.setattr(engine, "WORKERS", workers)
        monkeypatch.setattr(engine, "BATCH_BYTES", 1)  # one file a batch
        c = duckdb.connect(str(tmp_path / f"w{workers}.duckdb"))
        ingest_landing(c, landing)
        states.append(_state(c))
        assert c.execute("SELECT count(DISTINCT _file_name) FROM raw.mss_messages").fetchone()[0] == 8
        c.close()
    assert states[0] == states[1]
    assert any("unbalanced_quote" in r for r in states[1]["quarantine"])
    # checked once per distinct value, found on every row holding it: 7 MSS months in force (February re-delivered
    # clean) and 4 DMP rows a month
    assert sum("bad_finess" in r for r in states[1]["quarantine"]) == 7 + 16
    assert len(states[1]["dmp_documents"]) == 48
    assert not any("180012B01234567" in r for r in states[1]["dmp_documents"])  # pseudonymised on every connection


def test_a_batch_failing_on_one_connection_stops_the_ingestion_and_leaves_no_half_loaded_file(tmp_path, monkeypatch):
    from dagster_project.ingestion import engine

    landing = tmp_path / "landing"
    for m in range(1, 7):
        write(landing / f"mss/mss_messages_2024-{m:02d}.csv", [mss_row(f"m{m}-{i}") for i in range(20)],
              header=MSS_HEADER)
    monkeypatch.setattr(engine, "WORKERS", 2)
    monkeypatch.setattr(engine, "BATCH_BYTES", 1)
    load_stage = engine._load_stage

    def failing(con, spec, rules, units, ingested_at):
        if any(u.lf.rel.endswith("2024-03.csv") for u in units):
            raise duckdb.IOException("disk full (simulated)")
        load_stage(con, spec, rules, units, ingested_at)

    monkeypatch.setattr(engine, "_load_stage", failing)
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(duckdb.IOException, match="disk full"):
        ingest_landing(c, landing)
    loaded = dict(c.execute(
        "SELECT file_name, rows_loaded FROM raw.ingested_files WHERE status = 'loaded'").fetchall())
    rows = dict(c.execute("SELECT _file_name, count(*) FROM raw.mss_messages GROUP BY 1").fetchall())
    assert "mss/mss_messages_2024-03.csv" not in rows and rows == loaded and all(n == 20 for n in rows.values())
    # the next run loads what is missing, the files already in are left as they are
    monkeypatch.setattr(engine, "_load_stage", load_stage)
    report = ingest_landing(c, landing)
    assert {r.file for r in report.results if r.status == "loaded"} == {
        f"mss/mss_messages_2024-{m:02d}.csv" for m in range(1, 7)} - set(loaded)
    assert c.execute("SELECT count(*) FROM raw.mss_messages").fetchone()[0] == 120
