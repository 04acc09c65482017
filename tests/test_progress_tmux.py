"""The progress display in a real terminal: `eparcours run` in a tmux pane of 100 x 20, on a fresh home.

While the ingestion works, the pane holds one live line at the bottom that changes (stage, files n/N, rows, elapsed)
with permanent lines above it (each finished step), cut to the width so that it never wraps; no trail of status
lines, no escape-sequence garbage. The run is interrupted once the ingestion is over: the rest of a run is the same
display fed by the same events, and the whole run is covered off a terminal by tests/e2e/test_one_control_plane.py.

Needs tmux (Debian: ``apt-get install -y tmux``); skipped with that message when it is missing.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from dagster_project.synthetic import generate

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 100, 20
# the live line: spinner, stage, then (once a file is done) the last file, files n/N and rows, then the elapsed time
LIVE = re.compile(r"^. (Ingestion: [a-z ]+)  ·  (?:.+?  ·  (\d+)/(\d+) files  ·  ([\d,]+) rows  ·  )?.*\d\d:\d\d")


@pytest.fixture
def tmux():
    exe = shutil.which("tmux")
    if exe is None:
        pytest.skip("tmux is not installed (Debian: apt-get install -y tmux): the real-terminal test of the "
                    "progress display cannot run")
    socket = f"eparcours-progress-{os.getpid()}-{uuid.uuid4().hex[:8]}"   # our own server, nobody else's

    def run(*args: str) -> str:
        return subprocess.run([exe, "-f", "/dev/null", "-L", socket, *args], check=True, capture_output=True,
                              text=True, timeout=30).stdout

    yield run
    subprocess.run([exe, "-L", socket, "kill-server"], check=False, capture_output=True, timeout=30)


def test_a_run_shows_its_ingestion_moving_in_a_real_terminal(tmux, tmp_path):
    landing, home = tmp_path / "landing", tmp_path / "home"
    generate(landing, scale="tiny", seed=3, start=date(2023, 1, 1), end=date(2024, 12, 31))
    env = {"PYTHONPATH": str(REPO), "TERM": "xterm-256color", "EPARCOURS_PSEUDONYM_KEY": "ab" * 32,
           "EPARCOURS_LOCK_WAIT_SECONDS": "5"}
    command = "env " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + " " + " ".join(
        shlex.quote(a) for a in (sys.executable, "-m", "dagster_project.cli", "run", "--landing", str(landing),
                                 "--home", str(home)))
    tmux("new-session", "-d", "-s", "p", "-x", str(WIDTH), "-y", str(HEIGHT), command + "; sleep 600")

    def pane() -> list[str]:
        # -S - : the scrollback too, so that a trail of old status lines could not hide above the screen
        lines = tmux("capture-pane", "-p", "-t", "p", "-S", "-", "-E", "-").splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        return lines

    seen, finished = [], []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        lines = pane()
        live = [m for ln in lines if (m := LIVE.match(ln))]
        assert len(live) <= 1, lines                       # one live line, never a trail of them
        for ln in lines:
            assert len(ln) <= WIDTH, ln                    # cut to the width: it never wraps
            assert not re.search(r"\x1b|\[\??\d+[A-Za-z]|\r", ln), ln
        if live:
            assert lines[-1] == live[0].string, lines      # at the bottom, permanent lines above it
            state = live[0].groups()
            if not seen or seen[-1] != state:
                seen.append(state)
        finished = [ln for ln in lines if ln.startswith("✓ Ingestion: ")]
        if any(ln.startswith("✓ Seeds") for ln in lines) or len(finished) == 8:
            break
        time.sleep(0.1)
    assert len(finished) == 8, pane()                       # one permanent line per ingestion step
    assert all(re.fullmatch(r"✓ Ingestion: [a-z ]+: \d+ files, [\d,]+ rows, \d+ tables? \(\d\d:\d\d\)", ln)
               for ln in finished), finished
    # the live line changed while the ingestion worked: several states, at least one step seen mid-way
    assert len(seen) >= 3, seen
    assert any(done and int(done) < int(total) for _, done, total, _ in seen), seen
    tmux("send-keys", "-t", "p", "C-c", "")
