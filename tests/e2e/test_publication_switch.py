"""Publication is switched as a whole: a publication killed at any of its file operations leaves ``published``
pointing at one whole publication (the previous one before the link is switched, the new one after), whose
manifest matches its files byte for byte; the next publication removes what the killed one left; rollback
points ``published`` back at the previous publication."""
import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.cli import EXIT_OK, main
from dagster_project.publication.publish import clean_leftovers, list_publications

pytestmark = pytest.mark.slow

PUBLISH = """
import sys
from dagster_project.publication.publish import build_publication
from dagster_project.resources import WarehouseResource
build_publication(WarehouseResource(home=sys.argv[1], landing=sys.argv[2]))
"""


def publish(paths, kill_at=None, trace=None) -> int:
    env = {**os.environ}
    env.pop("EPARCOURS_PUBLISH_KILL_AT", None)
    if kill_at is not None:
        env["EPARCOURS_PUBLISH_KILL_AT"] = str(kill_at)
    if trace is not None:
        env["EPARCOURS_PUBLISH_TRACE"] = str(trace)
    return subprocess.run([sys.executable, "-c", PUBLISH, str(paths.home), str(paths.landing)],
                          env=env, capture_output=True, text=True, timeout=600).returncode


def whole(published: Path) -> str:
    """The id of the publication ``published`` shows, after checking that every file it lists is there with
    its hash and that it holds no other file."""
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {str(p.relative_to(published)) for p in published.rglob("*") if p.is_file()} - {"manifest.json"}
    assert on_disk == set(manifest["files"]), on_disk ^ set(manifest["files"])
    for rel, digest in manifest["files"].items():
        assert hashlib.sha256((published / rel).read_bytes()).hexdigest() == digest, rel
    return manifest["id"]


def test_a_publication_killed_at_any_step_leaves_one_whole_publication(tiny_copy, tmp_path):
    paths = tiny_copy
    first = whole(paths.published)
    trace = tmp_path / "steps.tsv"
    assert publish(paths, trace=trace) == 0
    steps = [line.split("\t", 1)[1] for line in trace.read_text().splitlines()]
    second = whole(paths.published)
    assert second != first and "link switched" in steps
    switched = steps.index("link switched") + 1
    # every step up to the switch and the one after it (CNSA, dashboard, manifest, rename, link made...)
    for n in sorted({1, 2, steps.index("cnsa") + 1, steps.index("manifest.json") + 1,
                     steps.index("publication complete") + 1, switched - 1, switched}):
        before = whole(paths.published)
        assert publish(paths, kill_at=n) == -signal.SIGKILL, steps[n - 1]
        after = whole(paths.published)                    # never a mixture, never a dangling link
        if n < switched:
            assert after == before, steps[n - 1]
        else:
            assert after != before, steps[n - 1]
        if n == switched - 1:                             # killed between "link made" and its rename
            assert list(paths.home.glob(".published-*")), "the half-made link should be left to clean"
    # what a killed run leaves (its staging folder, here) goes at the next publication
    assert publish(paths, kill_at=steps.index("cnsa") + 1) == -signal.SIGKILL
    assert list((paths.home / "publications").glob(".staging-*"))
    assert publish(paths) == 0
    whole(paths.published)
    assert not list((paths.home / "publications").glob(".staging-*"))
    assert not list(paths.home.glob(".published-*"))
    assert clean_leftovers(paths.home) == []
    kept = list_publications(paths.home)
    assert len(kept) <= 5 and kept[-1]["id"] == whole(paths.published)


def test_rollback_points_published_at_the_previous_publication(tiny_copy, capsys):
    paths = tiny_copy
    first = whole(paths.published)
    assert publish(paths) == 0
    second = whole(paths.published)
    assert main(["rollback", "--home", str(paths.home), "--list"]) == EXIT_OK
    listed = capsys.readouterr().out
    assert first in listed and second in listed
    assert main(["rollback", "--home", str(paths.home)]) == EXIT_OK
    assert whole(paths.published) == first
    assert main(["rollback", "--home", str(paths.home), "--to", second]) == EXIT_OK
    assert whole(paths.published) == second
    assert main(["rollback", "--home", str(paths.home), "--to", "nope"]) != EXIT_OK
    assert "no publication 'nope'" in capsys.readouterr().err
    assert whole(paths.published) == second
