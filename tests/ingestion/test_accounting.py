"""Nothing lost: every physical line of a landing file is the header, a loaded row, a quarantined row or a
counted blank line, with its exact line number, whatever the CSV reader made of it (issue: one unbalanced quote
used to drop the rest of the file silently)."""
import os
import time

import duckdb
import pytest

from dagster_project.ingestion.engine import ingest_landing
from dagster_project.ingestion.specs import spec

MSS = spec("mss_messages").column_names
DUI = spec("dui_evenements").column_names
EQUIPE = spec("coord_equipe").column_names
DECL = spec("declaratif").column_names


def mss_row(i: int) -> list[str]:
    return [f"m{i}", "2024-06-05T14:02:11+02:00", "secretariat@ch.mssante.fr", "ORG", "010000024", "2", "PRO|ORG", "O",
            "", "1200", "1", "DELIVERED"]


def dui_row(i: int) -> list[str]:
    return ["010000024", f"D{i % 40}", f"E{i}", "2024-06-05T10:00:00+02:00", "SOIN", "UTILISATEUR", f"A{i % 7}"]


def write_lines(path, lines: list[str], final_newline: bool = True):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + ("\n" if final_newline else "")).encode("utf-8"))
    return path


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield c
    c.close()


def record(con, name):
    return con.execute("SELECT physical_lines, rows_loaded, rows_rejected, blank_lines, reader, status "
                       "FROM raw.ingested_files WHERE file_name = ?", [name]).fetchone()


def quarantine(con, name):
    return con.execute("SELECT line_number, rule, severity FROM raw.quarantine WHERE file_name = ? "
                       "ORDER BY line_number, rule", [name]).fetchall()


def lines_loaded(con, table, name):
    return [r[0] for r in con.execute(f"SELECT _line_number FROM raw.{table} WHERE _file_name = ? ORDER BY 1",
                                      [name]).fetchall()]


def test_an_unbalanced_quote_costs_one_row_not_the_rest_of_the_file(tmp_path, con):
    # Regression: a `"` opened on line 11 of a 136-row file loaded 9 rows, quarantined 1 and lost 126, silently.
    rows = [";".join(mss_row(i)) for i in range(136)]
    rows[9] = rows[9].replace("secretariat@", '"secretariat@', 1)   # physical line 11
    f = write_lines(tmp_path / "landing/mss/mss_messages_2024-06.csv", [";".join(MSS)] + rows)
    ingest_landing(con, tmp_path / "landing")
    name = "mss/mss_messages_2024-06.csv"
    assert record(con, name) == (137, 135, 1, 0, "exact", "loaded")
    assert quarantine(con, name) == [(11, "unbalanced_quote", "rejected")]
    assert lines_loaded(con, "mss_messages", name) == [n for n in range(2, 138) if n != 11]
    assert con.execute("SELECT message_id FROM raw.mss_messages WHERE _line_number = 12").fetchone() == ("m10",)
    assert f.read_bytes().count(b"\n") == 137


def test_the_same_quote_near_the_end_of_a_large_file(tmp_path, con):
    rows = [";".join(dui_row(i)) for i in range(851)]
    rows[798] = rows[798].replace(";SOIN;", ';"SOIN;', 1)           # physical line 800 of 852
    write_lines(tmp_path / "landing/dui/dui_evenements_2024-06.csv", [";".join(DUI)] + rows)
    ingest_landing(con, tmp_path / "landing")
    name = "dui/dui_evenements_2024-06.csv"
    assert record(con, name) == (852, 850, 1, 0, "exact", "loaded")
    assert quarantine(con, name) == [(800, "unbalanced_quote", "rejected")]
    assert lines_loaded(con, "dui_evenements", name)[-3:] == [850, 851, 852]


def test_a_quoted_line_break_keeps_every_later_line_number_exact(tmp_path, con):
    lines = [";".join(DECL),
             "1.1;2024-03-31;O;GED/1;simple",
             '1.2;2024-03-31;O;GED/2;"un commentaire',
             'sur deux lignes"',
             "2.1;2024-03-31;N;GED/3;après"]
    write_lines(tmp_path / "landing/declaratif/declaratif_20240331.csv", lines)
    ingest_landing(con, tmp_path / "landing")
    name = "declaratif/declaratif_20240331.csv"
    assert record(con, name) == (5, 3, 0, 0, "exact", "loaded")
    got = con.execute("SELECT indicateur, _line_number, commentaire FROM raw.declaratif ORDER BY 2").fetchall()
    assert got == [("1.1", 2, "simple"), ("1.2", 3, "un commentaire\nsur deux lignes"), ("2.1", 5, "après")]


def test_a_last_value_cut_without_final_newline_is_flagged(tmp_path, con):
    rows = [";".join(mss_row(i)) for i in range(5)]
    rows[-1] = rows[-1][:-4]                                         # DELIVERED -> DELIV..., then nothing
    rows[-1] = ";".join(mss_row(4)[:-1]) + ";DELIVERED"[:4]
    write_lines(tmp_path / "landing/mss/mss_messages_2024-06.csv", [";".join(MSS)] + rows, final_newline=False)
    ingest_landing(con, tmp_path / "landing")
    q = quarantine(con, "mss/mss_messages_2024-06.csv")
    assert (6, "unknown_code", "rejected") in q                      # "DEL" is no delivery status
    # a cut that still reads as a valid value is loaded but flagged: the file did not end with its newline
    rows[-1] = ";".join(mss_row(4)[:-3]) + ";10;1;DELIVERED"
    write_lines(tmp_path / "landing2/mss/mss_messages_2024-06.csv", [";".join(MSS)] + rows, final_newline=False)
    c2 = duckdb.connect(str(tmp_path / "w2.duckdb"))
    ingest_landing(c2, tmp_path / "landing2")
    assert quarantine(c2, "mss/mss_messages_2024-06.csv") == [(6, "no_final_newline", "flagged")]
    assert record(c2, "mss/mss_messages_2024-06.csv")[:3] == (6, 5, 0)


def test_blank_lines_are_counted_and_line_numbers_stay_physical(tmp_path, con):
    rows = [";".join(mss_row(i)) for i in range(4)]
    write_lines(tmp_path / "landing/mss/mss_messages_2024-06.csv", [";".join(MSS), rows[0], "", rows[1], "  ",
                                                                    rows[2], rows[3]])
    ingest_landing(con, tmp_path / "landing")
    name = "mss/mss_messages_2024-06.csv"
    assert record(con, name) == (7, 4, 0, 2, "exact", "loaded")
    assert lines_loaded(con, "mss_messages", name) == [2, 4, 6, 7]


def test_every_row_twice_in_coord_equipe_is_quarantined_as_duplicate_key(tmp_path, con):
    team = [["CD1", "11111111111", "Médecin", "2024-01-02", ""], ["CD1", "22222222222", "IDE", "2024-01-05", ""],
            ["CD2", "11111111111", "Médecin", "", ""]]
    lines = [";".join(EQUIPE)] + [";".join(r) for r in team] + [";".join(r) for r in team]
    write_lines(tmp_path / "landing/coordination/coord_equipe_2024-03.csv", lines)
    ingest_landing(con, tmp_path / "landing")
    name = "coordination/coord_equipe_2024-03.csv"
    assert record(con, name)[:3] == (7, 3, 3)
    assert quarantine(con, name) == [(5, "duplicate_key", "rejected"), (6, "duplicate_key", "rejected"),
                                     (7, "duplicate_key", "rejected")]
    reasons = [r[0] for r in con.execute("SELECT reason FROM raw.quarantine ORDER BY line_number").fetchall()]
    assert reasons[0] == "dossier_id + professionnel_id + date_ajout repeats the row of line 2"
    assert "repeats the row of line 4" in reasons[2]                 # an empty date_ajout is a value of the key


def test_the_version_in_the_name_wins_whatever_the_clock(tmp_path, con):
    # Regression: touching (or copying without -p) the original month made it override its _v2 correction.
    landing = tmp_path / "landing"
    v1 = write_lines(landing / "mss/mss_messages_2024-06.csv", [";".join(MSS), ";".join(mss_row(1))])
    v2 = write_lines(landing / "mss/mss_messages_2024-06_v2.csv", [";".join(MSS), ";".join(mss_row(2))])
    ingest_landing(con, landing)
    rows = lambda c: c.execute("SELECT message_id, _file_name FROM raw.mss_messages").fetchall()  # noqa: E731
    assert rows(con) == [("m2", "mss/mss_messages_2024-06_v2.csv")]
    t = time.time() + 100
    os.utime(v1, (t, t))                                             # touch the original: nothing changes
    ingest_landing(con, landing)
    assert rows(con) == [("m2", "mss/mss_messages_2024-06_v2.csv")]
    write_lines(v1, [";".join(MSS), ";".join(mss_row(9))])           # overwritten in place: still superseded
    ingest_landing(con, landing)
    assert rows(con) == [("m2", "mss/mss_messages_2024-06_v2.csv")]
    status = dict(con.execute("SELECT file_sha256, status FROM raw.ingested_files WHERE file_name = ?",
                              ["mss/mss_messages_2024-06.csv"]).fetchall())
    assert "superseded" in status.values()
    write_lines(v2, [";".join(MSS), ";".join(mss_row(3))])           # the winner overwritten in place: reloaded
    ingest_landing(con, landing)
    assert rows(con) == [("m3", "mss/mss_messages_2024-06_v2.csv")]
    del v2


def test_events_dated_after_the_day_of_ingestion_are_quarantined_with_their_line(tmp_path, con):
    rows = [";".join(mss_row(i)).replace("2024-06-05", "2031-06-05") for i in range(3)]
    write_lines(tmp_path / "landing/mss/mss_messages_2031-06.csv", [";".join(MSS)] + rows)
    ingest_landing(con, tmp_path / "landing")
    q = con.execute("SELECT line_number, rule, reason FROM raw.quarantine ORDER BY 1").fetchall()
    assert [(ln, rule) for ln, rule, _ in q] == [(2, "future_date"), (3, "future_date"), (4, "future_date")]
    assert "sent_at = '2031-06-05T14:02:11+02:00' is dated after the day of ingestion" in q[0][2]


def test_hostile_entries_are_refused_by_name_without_being_read(tmp_path, con):
    landing = tmp_path / "landing"
    write_lines(landing / "mss/mss_messages_2024-06.csv", [";".join(MSS), ";".join(mss_row(1))])
    (landing / "finess").mkdir()
    os.symlink("/etc/passwd", landing / "finess" / "autorisations_20240101.csv")
    os.mkfifo(landing / "mss" / "mss_messages_2024-07.csv")
    report = ingest_landing(con, landing)
    inv = dict(con.execute("SELECT file_name, reason FROM raw.landing_inventory WHERE role = 'refused'").fetchall())
    assert inv == {"finess/autorisations_20240101.csv":
                   "is a symbolic link to a path outside the landing folder: not read",
                   "mss/mss_messages_2024-07.csv": "is a FIFO, not a regular file: not read"}
    assert "root:" not in str(con.execute("SELECT * FROM raw.quarantine").fetchall())
    assert sorted(report.unknown_files) == sorted(inv)


def test_utf16_is_decoded_and_said(tmp_path, con):
    text = ";".join(spec("ror_eg").column_names) + "\nEG1;010000024;010780054;CH Genêts;355;84;\n"
    p = tmp_path / "landing/ror/ror_eg_20240101.csv"
    p.parent.mkdir(parents=True)
    p.write_bytes(text.encode("utf-16"))
    ingest_landing(con, tmp_path / "landing")
    assert con.execute("SELECT raison_sociale FROM raw.ror_eg").fetchall() == [("CH Genêts",)]
    assert con.execute("SELECT encoding, physical_lines, rows_loaded FROM raw.ingested_files").fetchone() == \
        ("utf-16", 2, 1)


def test_a_nul_byte_inside_a_field_is_a_flagged_value(tmp_path, con):
    row = mss_row(1)
    row[2] = "secr\x00etariat@ch.mssante.fr"
    write_lines(tmp_path / "landing/mss/mss_messages_2024-06.csv", [";".join(MSS), ";".join(row)])
    ingest_landing(con, tmp_path / "landing")
    assert quarantine(con, "mss/mss_messages_2024-06.csv") == [(2, "control_character", "flagged")]


def test_line_numbers_of_large_files_read_together_are_physical(tmp_path):
    # Regression: several files of one table over 8 MB each (DuckDB scans one file in parallel chunks) read in one
    # statement. A rule's code list became a join, after which DuckDB inserted the rows in parallel, in no order:
    # `rowid - first rowid + 2` gave lines beyond the end of the file, different from one run to the next.
    from dagster_project.settings import duckdb_config

    rows, bad = 125_000, {}
    for m in (1, 2, 3):
        lines = [";".join(DUI)]
        bad[m] = {2, 1000 * m, rows // 2 + m, rows - 7 * m, rows + 1}   # physical lines, the header is line 1
        for line in range(2, rows + 2):
            kind = "CODE_INCONNU" if line in bad[m] else "SOIN"
            lines.append(f"010000024;D{line % 40};E{m}-{line};2024-0{m}-05T10:00:00+02:00;{kind};UTILISATEUR;A1")
        write_lines(tmp_path / f"landing/dui/dui_evenements_2024-0{m}.csv", lines)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), config=dict(duckdb_config(), threads=4))
    ingest_landing(con, tmp_path / "landing")
    for m in (1, 2, 3):
        name = f"dui/dui_evenements_2024-0{m}.csv"
        assert record(con, name) == (rows + 1, rows - len(bad[m]), len(bad[m]), 0, "duckdb", "loaded")
        assert quarantine(con, name) == [(line, "unknown_code", "rejected") for line in sorted(bad[m])]
        # every loaded row is on the line its event id was written on
        right = con.execute("""SELECT count(*), count(*) FILTER (WHERE _line_number = split_part(event_id, '-', 2)::INT)
                               FROM raw.dui_evenements WHERE _file_name = ?""", [name]).fetchone()
        assert right == (rows - len(bad[m]),) * 2
    con.close()
