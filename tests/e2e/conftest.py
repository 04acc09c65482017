import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from dagster_project.pipeline import run_pipeline
from dagster_project.settings import Paths
from dagster_project.synthetic import generate


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """`generate --scale tiny` (two years, to keep CI short) then a full run, once per test session (the gate
    tests copy it)."""
    root = tmp_path_factory.mktemp("tiny")
    landing = root / "landing"
    generate(landing, scale="tiny", seed=7, start=date(2023, 1, 1), end=date(2024, 12, 31))
    report = json.loads((landing / ".synthetic" / "report.json").read_text())
    paths = Paths(landing, root / "home")
    summary = run_pipeline(paths)
    return paths, report, summary


@pytest.fixture
def tiny_copy(tiny_run, tmp_path):
    """A private copy of the tiny landing folder and home, to change without touching the shared run."""
    paths, _, _ = tiny_run
    landing, home = tmp_path / "landing", tmp_path / "home"
    shutil.copytree(paths.landing, landing)
    shutil.copytree(paths.home, home, symlinks=True, ignore=shutil.ignore_patterns("tmp"))
    return Paths(landing, home)


def snapshot_tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: equal snapshots = byte-for-byte identical publication."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def fresh_published(tmp_path_factory):
    """A fresh tiny landing (seed 11, 2023-2024) changed by every must-publish scenario whose whole history has
    the shape (gate_scenarios.PUBLISHED_FRESH: campaign tools, closing and new structures, odd encodings, request
    stages, invalid INS and broken lines holding an INS...), run once: the gate test checks it publishes, the
    privacy test searches everything it wrote."""
    from dagster_project.cli import main

    from .gate_scenarios import PUBLISHED_FRESH

    root = tmp_path_factory.mktemp("fresh")
    landing = root / "landing"
    generate(landing, scale="tiny", seed=11, start=date(2023, 1, 1), end=date(2024, 12, 31))
    for s in PUBLISHED_FRESH:
        s.change(landing)
    paths = Paths(landing, root / "home")
    rc = main(["run", "--landing", str(landing), "--home", str(paths.home)])
    return paths, rc
