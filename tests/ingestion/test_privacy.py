"""Patient identifiers at the door (dagster_project/privacy.py): the INS is stored only as its keyed hash, shown
only masked, and the key must stay the same; on small files written by hand."""
import hashlib
import hmac
import os
import stat
from pathlib import Path

import duckdb
import pytest

from dagster_project import privacy
from dagster_project.ingestion.engine import ingest_landing
from dagster_project.ingestion.specs import spec



def ins(first13: str, valid: bool = True) -> str:
    n = int(first13.replace("2A", "19").replace("2B", "18"))
    key = 97 - n % 97
    return f"{first13}{(key if valid else key % 97 + 1):02d}"


GOOD, BAD, CORSICA = ins("1990175012345"), ins("2870669123456", valid=False), ins("185052A123456")


def write(path: Path, table: str, rows: list[list[str]], extra_lines: tuple[str, ...] = ()) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [";".join(spec(table).column_names)] + [";".join(r) for r in rows] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def dossier(did: str, ins_value: str) -> list[str]:
    return [did, "S1", f"U{did}", ins_value, "VALI", "2024-01-02", "2024-01-03", ""]


@pytest.fixture
def key(monkeypatch, tmp_path) -> bytes:
    monkeypatch.delenv(privacy.KEY_ENV, raising=False)
    monkeypatch.setenv(privacy.KEY_FILE_ENV, str(tmp_path / "keys" / "pseudonym.key"))
    return privacy.load_key()


def test_the_key_file_is_created_private_and_kept(key, tmp_path):
    path = tmp_path / "keys" / "pseudonym.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert privacy.load_key() == key and len(key) == 32            # read again, not made anew


def test_the_key_from_the_environment_wins_and_is_checked(monkeypatch):
    monkeypatch.setenv(privacy.KEY_ENV, "ab" * 32)
    assert privacy.load_key() == bytes.fromhex("ab" * 32)
    monkeypatch.setenv(privacy.KEY_ENV, "not hex")
    with pytest.raises(privacy.PseudonymKeyError, match="hexadecimal"):
        privacy.load_key()


def test_the_ins_is_stored_only_as_its_keyed_hash_with_its_validity(key, tmp_path):
    landing = tmp_path / "landing"
    write(landing / "coordination/coord_dossiers_2024-01.csv", "coord_dossiers",
          [dossier("D1", GOOD), dossier("D2", BAD), dossier("D3", CORSICA), dossier("D4", "")],
          # a broken line (a field missing) holding an INS
          extra_lines=(f"D5;S1;UD5;{GOOD};VALI;2024-01-02",))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest_landing(con, landing)
    rows = dict((d, (h, v)) for d, h, v in con.execute(
        "SELECT dossier_id, ins, ins_valid FROM raw.coord_dossiers").fetchall())
    expected = {d: (hmac.new(key, i.encode(), hashlib.sha256).hexdigest() if i else None, ok)
                for d, i, ok in (("D1", GOOD, True), ("D2", BAD, False), ("D3", CORSICA, True), ("D4", "", False))}
    assert rows == expected
    # the same INS, the same hash whichever table it is in: the joins of EP-4.2 hold
    write(landing / "dmp/dmp_documents_2024-01.csv", "dmp_documents",
          [["G1", "2024-01-05T10:00:00+01:00", GOOD, "1.2.250.1.213.1.4.8", "SYNTH", "", "", "", "", "COORDINATION",
            "APPROVED"]])
    ingest_landing(con, landing)
    assert con.execute("SELECT count(*) FROM raw.dmp_documents d JOIN raw.coord_dossiers c ON c.ins = d.patient_ins"
                       ).fetchone()[0] == 1
    # nowhere in the warehouse in clear; the quarantine keeps what an engineer needs, masked
    quarantine = con.execute("SELECT line_number, column_name, value, rule, reason FROM raw.quarantine "
                             "ORDER BY line_number").fetchall()
    assert (3, "ins", "28…(15)", "bad_ins", "ins = '28…(15)' is not a valid INS/NIR (15 characters, key 97 - n mod 97)") \
        in quarantine
    broken = [q for q in quarantine if q[0] == 6]
    assert broken and broken[0][1] is None and privacy.MASKED_IN_LINE in broken[0][2] and GOOD not in broken[0][2]
    dump = tmp_path / "dump"
    con.execute(f"EXPORT DATABASE '{dump}' (FORMAT csv)")
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in dump.rglob("*") if p.is_file())
    assert not any(i in text for i in (GOOD, BAD, CORSICA))


def test_another_key_is_refused_with_what_to_do(key, monkeypatch, tmp_path):
    landing = tmp_path / "landing"
    write(landing / "coordination/coord_dossiers_2024-01.csv", "coord_dossiers", [dossier("D1", GOOD)])
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest_landing(con, landing)
    monkeypatch.setenv(privacy.KEY_ENV, "cd" * 32)
    write(landing / "coordination/coord_dossiers_2024-02.csv", "coord_dossiers", [dossier("D1", GOOD)])
    with pytest.raises(privacy.PseudonymKeyError, match="not the one this working warehouse was built with"):
        ingest_landing(con, landing)


def test_a_folder_named_like_a_landing_file_is_named_not_skipped(key, tmp_path):
    landing = tmp_path / "landing"
    (landing / "dui" / "dui_dossiers_2024-03.csv").mkdir(parents=True)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    report = ingest_landing(con, landing)
    assert report.unknown_files == ["dui/dui_dossiers_2024-03.csv"]
    assert con.execute("SELECT role, reason FROM raw.landing_inventory").fetchall() == [
        ("refused", "is a directory, not a regular file: not read")]


def test_masking_keeps_two_characters_and_the_length():
    assert privacy.mask(GOOD) == f"{GOOD[:2]}…(15)"
    con = duckdb.connect()
    line = f"x;{GOOD};{CORSICA};12345678901234;{BAD}"          # a SIRET (14 digits) is not an INS
    masked = con.execute(f"SELECT {privacy.mask_line_sql('?')}", [line]).fetchone()[0]
    assert masked == f"x;{privacy.MASKED_IN_LINE};{privacy.MASKED_IN_LINE};12345678901234;{privacy.MASKED_IN_LINE}"


def test_files_are_private_and_the_publication_is_for_the_group_only(tmp_path):
    from dagster_project.settings import Paths

    old = os.umask(0o022)
    try:
        paths = Paths(tmp_path / "landing", tmp_path / "home").ensure()
        made = paths.warehouse_dir / "x.duckdb"
        made.write_text("x")
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
        assert stat.S_IMODE(paths.warehouse_dir.stat().st_mode) == 0o700
        assert stat.S_IMODE(paths.logs.stat().st_mode) == 0o700
        assert stat.S_IMODE(paths.home.stat().st_mode) == 0o750
        pub = paths.home / "publications" / "p1"
        pub.mkdir(parents=True)
        (pub / "a.csv").write_text("a")
        privacy.share_with_group(pub)
        assert stat.S_IMODE(pub.stat().st_mode) == 0o750
        assert stat.S_IMODE((pub / "a.csv").stat().st_mode) == 0o640
        assert (pub / "a.csv").stat().st_gid == privacy.published_gid()
    finally:
        os.umask(old)
