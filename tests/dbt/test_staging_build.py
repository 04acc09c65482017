"""dbt build of the seeds and the staging layer on a tiny hand-made raw warehouse (tests/dbt/raw_fixture.py).

Guards: the profile and paths (EPARCOURS_WAREHOUSE), the seeds (leading zeros, the `;` delimiter), every
staging model compiling against the raw DDL of specs.py, the blocking tests passing on valid data, and the
typing / flag rules that the indicators rely on (overseas region, invalid INS kept and flagged, ROR codes
outside their lists, local date of a timestamp).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from raw_fixture import build_raw_warehouse

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("dbt_staging")
    warehouse = tmp / "warehouse.duckdb"
    build_raw_warehouse(warehouse)
    env = {
        **os.environ,
        "EPARCOURS_WAREHOUSE": str(warehouse),
        "EPARCOURS_DUCKDB_TEMP": str(tmp / "duckdb_tmp"),
        "EPARCOURS_DUCKDB_MEMORY": "1GB",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    cmd = [
        str(DBT),
        "build",
        "--project-dir",
        str(REPO / "dbt"),
        "--profiles-dir",
        str(REPO / "dbt"),
        # own target/log folders: never disturb dbt/target/manifest.json that Dagster loads
        "--target-path",
        str(tmp / "target"),
        "--log-path",
        str(tmp / "logs"),
        "--select",
        "resource_type:seed",
        "path:models/staging",
        "path:tests/singular/assert_ins_macro_matches_test_vectors.sql",
        "path:tests/singular/assert_finess_macro_matches_test_vectors.sql",
        "path:tests/singular/assert_local_date_is_the_written_date.sql",
        "--indirect-selection",
        "cautious",
    ]
    proc = subprocess.run(cmd, check=False, cwd=REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    # the warnings are exactly the invalid optional FINESS of the fixture; its 3 invalid INS are flagged by the
    # ingestion, before they are hashed (privacy.py): staging only sees the keyed hash and ins_valid
    assert "WARN=2 ERROR=0" in proc.stdout, proc.stdout[-3000:].split("Done.")[-1]
    con = duckdb.connect(str(warehouse), read_only=True)
    flagged = con.execute("SELECT count(*) FROM raw.quarantine WHERE rule = 'bad_ins' AND severity = 'flagged'"
                          ).fetchone()[0]
    con.close()
    assert flagged == 3
    return warehouse


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_finess_region_from_departement(staged):
    rows = _rows(
        staged,
        "SELECT nofinesset, insee_departement, code_region FROM staging.stg_finess__structures "
        "ORDER BY nofinesset",
    )
    assert rows == [
        ("010000024", "01", "84"),
        ("2A0000016", "2A", "94"),  # Corsica as is
        ("970102018", "971", "01"),  # 9A -> Guadeloupe
        ("980600027", "986", None),  # 9J Wallis-et-Futuna: no ARS region
    ]


def test_invalid_optional_identifiers_are_kept_and_flagged(staged):
    assert _rows(
        staged, "SELECT dossier_id, ins_valid FROM staging.stg_coordination__dossiers ORDER BY 1"
    ) == [("CD1", True), ("CD2", False), ("CD3", False)]
    assert _rows(
        staged, "SELECT nofinessej_valid FROM staging.stg_finess__structures WHERE nofinesset = '2A0000016'"
    ) == [(False,)]


def test_ror_codes_outside_their_lists(staged):
    rows = _rows(
        staged,
        "SELECT id_ue, type_oi_in_list, champ_activite_in_list, mode_prise_en_charge_in_list, "
        "age_min FROM staging.stg_ror__ue ORDER BY id_ue",
    )
    # UE2: mode 03 is a retired TRE_R213 code, outside the ROR value set J19; age 'abc' is no integer
    assert rows == [
        ("UE1", True, True, True, 18),
        ("UE2", True, True, False, None),
        ("UE3", False, False, False, None),
    ]
    assert _rows(
        staged,
        "SELECT activite_operationnelle, activite_operationnelle_in_list "
        "FROM staging.stg_ror__ue_activite ORDER BY 1",
    ) == [("001", True), ("003", True), ("999", False)]


def test_timestamps_keep_their_written_date(staged):
    rows = _rows(
        staged,
        "SELECT file_month, sent_at_date, CAST(sent_at AT TIME ZONE 'UTC' AS DATE) "
        "FROM staging.stg_mss__messages WHERE file_month = DATE '2024-04-01'",
    )
    assert [tuple(str(v) for v in r) for r in rows] == [("2024-04-01", "2024-04-01", "2024-03-31")]


def test_seed_codes_keep_leading_zeros(staged):
    assert _rows(
        staged, "SELECT count(*) FROM ref.ref_jdv_j17_activite_operationnelle_ror WHERE code = '001'"
    ) == [(1,)]
    assert _rows(staged, "SELECT reg FROM ref.ref_departements WHERE dep = '01'") == [("84",)]


def test_blocking_tests_fail_on_a_broken_delivery(staged, tmp_path):
    # Proves the gate: a duplicated business key and a missing required structure in raw make `dbt test` fail,
    # naming both rules (a test that cannot fail protects nothing).
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(staged.read_bytes())
    con = duckdb.connect(str(broken))
    con.execute(
        "INSERT INTO raw.coord_dossiers SELECT * REPLACE (NULL AS structure_id) FROM raw.coord_dossiers "
        "WHERE dossier_id = 'CD1'"
    )
    con.close()
    env = {
        **os.environ,
        "EPARCOURS_WAREHOUSE": str(broken),
        "EPARCOURS_DUCKDB_TEMP": str(tmp_path / "duckdb_tmp"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    proc = subprocess.run(
        [
            str(DBT),
            "test",
            "--project-dir",
            str(REPO / "dbt"),
            "--profiles-dir",
            str(REPO / "dbt"),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--select",
            "stg_coordination__dossiers",
        ],
        check=False,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert "FAIL 1 unique_combination_stg_coordination__dossiers" in proc.stdout
    assert "FAIL 1 not_null_columns_stg_coordination__dossiers" in proc.stdout
