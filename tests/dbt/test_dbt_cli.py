"""``eparcours-dbt`` keeps dbt's partial parsing across warehouses (dagster_project/transform/dbt_cli.py): a
project parsed for one home is not parsed again for another, and the project never reads what the fingerprint
leaves out."""
import json
import os
import re
import shutil
import subprocess

from dagster_project.settings import DBT_DIR
from dagster_project.transform.dbt_cli import UNPARSED_KEYS, dbt_executable


def parse(target, home):
    env = {**os.environ, "EPARCOURS_WAREHOUSE": str(home / "warehouse" / "warehouse.duckdb"),
           "EPARCOURS_DUCKDB_TEMP": str(home / "tmp"), "EPARCOURS_DUCKDB_MEMORY": "1GB"}
    proc = subprocess.run([str(dbt_executable()), "--log-format", "json", "parse", "--project-dir", str(DBT_DIR),
                           "--profiles-dir", str(DBT_DIR), "--target-path", str(target)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:]
    return [json.loads(line)["info"] for line in proc.stdout.splitlines() if line.startswith("{")]


def test_a_parse_made_for_one_home_serves_another(tmp_path):
    first, second = tmp_path / "t1", tmp_path / "t2"
    shutil.copy(DBT_DIR / "target" / "partial_parse.msgpack", first.mkdir() or first)
    parse(first, tmp_path / "home_a")
    second.mkdir()
    shutil.copy(first / "partial_parse.msgpack", second)
    events = parse(second, tmp_path / "home_b")
    reasons = [e["msg"] for e in events if e["name"] == "UnableToPartialParse"]
    assert not reasons, reasons


def test_the_project_never_reads_what_the_fingerprint_leaves_out():
    assert UNPARSED_KEYS == {"path", "settings", "config_options"}
    pattern = re.compile(r"target\s*\.\s*(path|settings|config_options)"
                         r"|target\s*\[\s*['\"](path|settings|config_options)")
    offenders = [str(p.relative_to(DBT_DIR)) for p in DBT_DIR.rglob("*")
                 if p.suffix in {".sql", ".yml", ".yaml"} and "target" not in p.relative_to(DBT_DIR).parts[:1]
                 and p.name != "profiles.yml" and pattern.search(p.read_text(encoding="utf-8"))]
    assert not offenders
