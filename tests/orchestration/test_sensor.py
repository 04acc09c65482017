"""The landing sensor on a temporary landing folder: run requests only for what changed.

Guards against: a sensor that re-ingests everything on each tick, misses a re-delivered month, launches
runs for unknown files, splits the FINESS etalab file (two tables, one multi-asset) or asks for the
wrong quarter.
"""
import json
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.orchestration.sensors import landing_sensor, read_cursor

FIXTURES = Path(__file__).resolve().parents[1] / "synthetic" / "fixtures"
OLD = time.time() - 3600  # files "delivered" an hour ago: past the settle delay


def drop(landing: Path, rel: str, text: str, mtime: float = OLD) -> Path:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def evaluate(defs, cursor: str | None):
    context = dg.build_sensor_context(cursor=cursor, definitions=defs)
    result = landing_sensor(context)
    return result.run_requests or [], result.cursor


def keys(request) -> set[str]:
    return {k.to_user_string() for k in request.asset_selection}


@pytest.fixture
def landing(tmp_path, monkeypatch):
    folder = tmp_path / "landing"
    folder.mkdir()
    monkeypatch.setenv("EPARCOURS_LANDING", str(folder))
    monkeypatch.setenv("EPARCOURS_LANDING_SETTLE_SECONDS", "10")
    return folder


MSS_HEADER = "message_id;sent_at;sender_address;recipient_address\n"


def test_first_file_then_same_file_again(defs, landing):
    drop(landing, "mss/mss_messages_2024-11.csv", MSS_HEADER + "m1;2024-11-04T10:00:00+01:00;a@x.fr;b@y.fr\n")
    requests, cursor = evaluate(defs, None)
    assert len(requests) == 1
    req = requests[0]
    selected = keys(req)
    assert "raw/mss_messages" in selected and "staging/stg_mss__messages" in selected
    assert not any(k.startswith("raw/") and k != "raw/mss_messages" for k in selected)  # that table only
    assert "publish/publication" not in selected  # the sensor does not publish
    assert "marts/indicator_results" in selected  # the quarter is recomputed...
    assert req.partition_key == "2024-10-01"  # ...the quarter containing November 2024
    assert req.job_name == "landing_job"
    checks = {(c.asset_key.to_user_string(), c.name) for c in req.asset_check_keys}
    assert ("raw/mss_messages", "gx_landing") in checks
    assert not any(a.startswith("raw/") and a != "raw/mss_messages" for a, _ in checks)
    state = read_cursor(cursor)["files"]["mss/mss_messages_2024-11.csv"]
    assert set(state) == {"size", "mtime_ns", "ctime_ns", "sha256"} and len(state["sha256"]) == 64

    assert evaluate(defs, cursor)[0] == []  # same file again: nothing


def test_redelivered_month_only_that_table(defs, landing):
    drop(landing, "mss/mss_messages_2024-11.csv", MSS_HEADER + "m1;2024-11-04T10:00:00+01:00;a@x.fr;b@y.fr\n")
    drop(landing, "dmp/dmp_documents_2024-02.csv", "document_id;submitted_at\nd1;2024-02-03T09:00:00+01:00\n")
    _, cursor = evaluate(defs, None)
    # the same name delivered again with a new content
    drop(landing, "dmp/dmp_documents_2024-02.csv", "document_id;submitted_at\nd1;2024-02-03T09:00:00+01:00\n"
         "d2;2024-02-05T09:00:00+01:00\n", mtime=OLD + 60)
    requests, cursor2 = evaluate(defs, cursor)
    assert len(requests) == 1
    selected = keys(requests[0])
    assert {k for k in selected if k.startswith("raw/")} == {"raw/dmp_documents"}
    assert not any("mss" in k for k in selected)
    assert requests[0].partition_key == "2024-01-01"
    # a re-delivery beside the first one (suffix _v2) is a new file of the same table and month
    drop(landing, "dmp/dmp_documents_2024-02_v2.csv", "document_id;submitted_at\nd3;2024-02-06T09:00:00+01:00\n")
    requests, cursor3 = evaluate(defs, cursor2)
    assert [r.partition_key for r in requests] == ["2024-01-01"]
    # touched without a change of content: not ingested again, but remembered
    path = landing / "mss/mss_messages_2024-11.csv"
    os.utime(path, (OLD + 120, OLD + 120))
    requests, cursor4 = evaluate(defs, cursor3)
    assert requests == []
    assert read_cursor(cursor4)["files"]["mss/mss_messages_2024-11.csv"]["mtime_ns"] == path.stat().st_mtime_ns


def test_unknown_file_is_ignored(defs, landing):
    drop(landing, "mss/notes_de_reunion.txt", "hello\n")
    drop(landing, "inconnu/truc_2024-01.csv", "a;b\n1;2\n")
    requests, cursor = evaluate(defs, None)
    assert requests == []
    assert read_cursor(cursor)["unknown"] == ["inconnu/truc_2024-01.csv", "mss/notes_de_reunion.txt"]
    assert evaluate(defs, cursor)[0] == []


def test_etalab_file_feeds_both_finess_tables(defs, landing):
    fixture = next(FIXTURES.glob("etalab-cs1100502-stock-*.csv"))
    target = landing / "finess" / "etalab-cs1100507-stock-20240405-1056.csv"
    target.parent.mkdir(parents=True)
    shutil.copy(fixture, target)
    os.utime(target, (OLD, OLD))
    requests, _ = evaluate(defs, None)
    assert len(requests) == 1
    raw = {k for k in keys(requests[0]) if k.startswith("raw/")}
    assert raw == {"raw/finess_structures", "raw/finess_geolocalisation"}
    assert requests[0].partition_key == "2024-04-01"  # the quarter containing the snapshot date


def test_several_quarters_one_range_and_current_quarter_not_computed(defs, landing):
    drop(landing, "mss/mss_messages_2023-05.csv", MSS_HEADER)
    drop(landing, "mss/mss_messages_2024-02.csv", MSS_HEADER)
    requests, _ = evaluate(defs, None)
    (req,) = requests
    assert req.partition_key is None
    assert req.tags["dagster/asset_partition_range_start"] == "2023-04-01"
    assert req.tags["dagster/asset_partition_range_end"] == "2024-01-01"

    # a month of a quarter that is not over has no partition yet: ingestion and staging only (with the data window,
    # which the new month moves)
    future = time.gmtime(time.time() + 86400 * 2)
    month = f"{future.tm_year:04d}-{future.tm_mon:02d}"
    for p in landing.rglob("*.csv"):
        p.unlink()
    drop(landing, f"mss/mss_messages_{month}.csv", MSS_HEADER)
    (req,) = evaluate(defs, None)[0]
    assert req.partition_key is None and "dagster/asset_partition_range_start" not in req.tags
    assert keys(req) == {"raw/mss_messages", "staging/stg_mss__messages", "staging/stg_ingestion__data_window"}


def test_file_being_written_waits(defs, landing):
    drop(landing, "mss/mss_messages_2024-11.csv", MSS_HEADER, mtime=time.time())
    requests, cursor = evaluate(defs, None)
    assert requests == [] and read_cursor(cursor)["files"] == {}
    os.utime(landing / "mss/mss_messages_2024-11.csv", (OLD, OLD))
    assert len(evaluate(defs, cursor)[0]) == 1


def test_cursor_is_json(defs, landing):
    drop(landing, "mss/mss_messages_2024-11.csv", MSS_HEADER)
    _, cursor = evaluate(defs, None)
    assert json.loads(cursor)["files"]["mss/mss_messages_2024-11.csv"]["size"] == len(MSS_HEADER)
