"""The progress display in a real terminal: a script drives Progress inside a tmux pane of 100 x 20.

The script and the test meet at checkpoints (a file written by the script, a file written back by the
test), so that the pane is captured at known states and not at the mercy of the machine's load:
- while it runs, the pane holds the note and one live status line, updated in place (no trail of
  hundreds of lines, nothing in the scrollback), cut to the width so that it never wraps, cursor hidden;
- at the end, only the permanent lines remain, no escape-sequence garbage, and the cursor is visible.

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
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 100, 20
NOTE = "dui/dui_evenements_2024-03.csv refusé : séparateur inconnu"

SCRIPT = r'''
import pathlib, sys, time
sys.path.insert(0, sys.argv[2])
from dagster_project.progress import Progress

sync = pathlib.Path(sys.argv[1])

def checkpoint(name):
    (sync / name).write_text("")
    while not (sync / ("go-" + name)).exists():
        time.sleep(0.02)

LONG = "dui_evenements_2024-03_livraison_complementaire_" + "x" * 80 + ".csv"
with Progress() as p:
    p.stage("Ingestion", total=40, total_bytes=40_000)
    for i in range(1, 41):
        time.sleep(0.03)        # faster than the redraw limit: the ticker draws what the calls could not
        p.update(done=i, item=LONG if i <= 30 else "dui_evenements_2024-%02d.csv" % i, rows=i * 12_345,
                 done_bytes=i * 1000)
        if i == 10:
            p.note(__NOTE__)
        if i in (20, 30):
            checkpoint(str(i))
    p.end_stage()
    p.stage("Calcul des indicateurs", total=8, unit="trimestres")
    for q in range(1, 9):
        time.sleep(0.03)
        p.update(done=q)
    p.end_stage("8 trimestres")
print("FIN", flush=True)
(sync / "done").write_text("")
time.sleep(600)                 # keep the pane alive for the last capture; the test kills the server
'''.replace("__NOTE__", repr(NOTE))


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


def _wait_for(predicate, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_live_line_in_a_real_terminal(tmux, tmp_path):
    sync = tmp_path / "sync"
    sync.mkdir()
    script = tmp_path / "drive_progress.py"
    script.write_text(SCRIPT, encoding="utf-8")
    command = " ".join(shlex.quote(a) for a in (sys.executable, str(script), str(sync), str(REPO)))
    tmux("new-session", "-d", "-s", "p", "-x", str(WIDTH), "-y", str(HEIGHT), command)

    def pane() -> list[str]:
        # -S - : the scrollback too, so that a trail of old status lines could not hide above the screen
        lines = tmux("capture-pane", "-p", "-t", "p", "-S", "-", "-E", "-").splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        return lines

    def cursor() -> tuple[int, int, int]:
        flag, x, y = tmux("display-message", "-p", "-t", "p", "#{cursor_flag} #{cursor_x} #{cursor_y}").split()
        return int(flag), int(x), int(y)

    status_re = re.compile(r"^Ingestion  dui_eve\S*…\S*\.csv  (\d+)/40 fichiers  ([\d ]+) lignes  \d\d:\d\d"
                           r"(  reste ~\d\d:\d\d)?$")
    for n in (20, 30):
        _wait_for(lambda n=n: (sync / str(n)).exists(), f"checkpoint {n}")
        # the last call may fall within 0.1 s of the previous redraw: the ticker draws it within 0.5 s
        lines = _wait_for(lambda n=n: (ls := pane()) and f" {n}/40 fichiers" in ls[-1] and ls,
                          f"{n}/40 on screen")
        assert len(lines) == 2, lines                       # the note and one status line, nothing else
        assert lines[0] == NOTE
        m = status_re.match(lines[1])
        assert m, lines[1]
        assert int(m.group(1)) == n and int(m.group(2).replace(" ", "")) == n * 12_345
        assert m.group(3), "an estimate is shown past 3 %"
        assert len(lines[1]) <= WIDTH - 1                  # cut to the width: it never wraps
        flag, _, y = cursor()
        assert flag == 0 and y == 1                         # cursor hidden, on the status line
        (sync / f"go-{n}").write_text("")

    _wait_for(lambda: (sync / "done").exists(), "the end of the script")
    lines = _wait_for(lambda: (ls := pane()) and ls[-1] == "FIN" and ls, "FIN on screen")
    assert len(lines) == 4, lines
    assert lines[0] == NOTE
    assert re.fullmatch(r"Ingestion : 40/40 fichiers, 493 800 lignes \(durée \d\d:\d\d\)", lines[1]), lines[1]
    assert re.fullmatch(r"Calcul des indicateurs : 8 trimestres \(durée \d\d:\d\d\)", lines[2]), lines[2]
    text = "\n".join(lines)
    assert not re.search(r"\x1b|\[\??\d+[A-Za-z]|\r", text), "escape-sequence garbage on screen"
    assert cursor() == (1, 0, 4)                          # cursor visible again, below the last line
