"""The quality gate refuses broken deliveries and nothing else, on generated data changed one way each
(tests/e2e/gate_scenarios.py); legitimate changes to a published region are in test_gate.py. Refusals are grouped (each change touches its own table or month, and every
check is per table and delivery, so one run judges them all; each must produce its own finding), the
publications too (no blocking finding at all). scripts/gate_battery.py runs every scenario alone, seeds 1-20
included, and prints the confusion matrix."""
import json
from datetime import date

import pytest

from dagster_project.cli import EXIT_GATE, EXIT_OK, main
from dagster_project.quality.findings import failures, load_results
from dagster_project.settings import Paths
from dagster_project.synthetic import generate

from .conftest import snapshot_tree
from .gate_scenarios import PUBLISHED_ESMS_ONLY, PUBLISHED_FRESH, REFUSED, REFUSED_FRESH

pytestmark = pytest.mark.slow


def run(paths, capsys, *extra):
    rc = main(["run", "--landing", str(paths.landing), "--home", str(paths.home), *extra])
    out = capsys.readouterr()
    return rc, out.out, out.err


def blocking_ids(paths) -> list[str]:
    return [fid for f in failures(load_results(paths.warehouse_dir / "quality"), "error")
            for fid in (f.findings or (f.id,))]


def test_every_broken_delivery_is_refused_with_its_own_finding(tiny_copy, capsys):
    paths = tiny_copy
    before = snapshot_tree(paths.published)
    for s in REFUSED:
        s.change(paths.landing)
    rc, out, err = run(paths, capsys)
    assert rc == EXIT_GATE, out + err
    assert snapshot_tree(paths.published) == before                      # byte for byte
    ids = blocking_ids(paths)
    missed = [s.name for s in REFUSED if not any(all(part in i for part in s.expect) for i in ids)]
    assert not missed, (missed, ids)
    touched = {s.expect[0].split(".")[0] for s in REFUSED}
    strays = [i for i in ids if i.split(".")[0] not in touched]
    assert not strays, strays                                             # nothing else refused
    # one block per finding: what it means, what to do, the evidence, the id to accept it; no stack trace
    assert "Traceback" not in err and "Stack Trace" not in err
    assert "to publish anyway: eparcours run --accept" in err
    assert "what it means:" in err and "what to do:" in err and "· delivery_key 2024-12" in err
    # accepted with a reason, for that run only: it publishes and the manifest says who, when, why and what
    accept = sorted(set(ids))
    extra = [a for i in accept for a in ("--accept", i)]
    rc, out, err = run(paths, capsys, *extra, "--reason", "test: known defects", "--by", "auditeur")
    assert rc == EXIT_OK, err
    manifest = json.loads((paths.published / "manifest.json").read_text())
    assert {o["id"] for o in manifest["overrides"]} == set(accept)
    assert all(o["by"] == "auditeur" and o["reason"] == "test: known defects" for o in manifest["overrides"])
    assert "Dérogation acceptée" in (paths.published / "quality" / "index.html").read_text()


def fresh_landing(tmp_path, seed=7):
    landing = tmp_path / "landing"
    generate(landing, scale="tiny", seed=seed, start=date(2023, 1, 1), end=date(2024, 12, 31))
    return Paths(landing, tmp_path / "home")


def test_legitimate_shapes_of_history_publish_on_a_fresh_run(fresh_published):
    # Seed 11: three months of a small region without agenda row were refused ("loaded no row at all").
    paths, rc = fresh_published
    assert len(PUBLISHED_FRESH) >= 12
    assert rc == EXIT_OK, blocking_ids(paths)


def test_a_region_with_esms_data_only_publishes(tmp_path, capsys):
    paths = fresh_landing(tmp_path, seed=3)
    PUBLISHED_ESMS_ONLY.change(paths.landing)
    rc, out, err = run(paths, capsys)
    assert rc == EXIT_OK, err + str(blocking_ids(paths))
    assert (paths.published / "dashboard" / "index.html").is_file()


def test_broken_deliveries_on_a_fresh_run_are_refused_with_their_own_finding(tmp_path, capsys):
    # a misnamed month (missing and unrecognised); the largest DAC's events missing from a month, in a
    # coordination tool of real size (structure reached through the dossier)
    paths = fresh_landing(tmp_path, seed=5)
    for s in REFUSED_FRESH:
        s.change(paths.landing)
    rc, out, err = run(paths, capsys)
    assert rc == EXIT_GATE, out + err
    ids = blocking_ids(paths)
    missed = [s.name for s in REFUSED_FRESH if not any(all(part in i for part in s.expect) for i in ids)]
    assert not missed, (missed, ids)
    assert "folder.unrecognised_file@dui/dui_evenement_2024-03.csv" in ids
    touched = {s.expect[0].split(".")[0] for s in REFUSED_FRESH} | {"folder"}
    strays = [i for i in ids if i.split(".")[0] not in touched]
    assert not strays, strays
    assert "did you mean dui_evenements_YYYY-MM.csv?" in err
    assert not paths.published.exists()
