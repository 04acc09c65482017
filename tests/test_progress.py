"""The command-line progress display (dagster_project/progress.py), without a real terminal.

Plain mode (file, pipe, cron) is checked line for line with a fake clock and a fixed time zone; terminal
mode is checked by replaying its output through a minimal terminal emulator (``render``) that knows only
the sequences Progress may emit and fails on any other.
"""
import io
import re
import threading
import time
from datetime import UTC, datetime

import pytest

from dagster_project import progress as pg
from dagster_project.progress import (
    CLEAR_LINE,
    HIDE_CURSOR,
    SHOW_CURSOR,
    Progress,
    display_width,
    estimate_remaining,
    format_bytes,
    format_count,
    format_duration,
    shorten_middle,
    truncate,
)

# 2026-12-03 07:15:02 UTC is 08:15:02 in Paris (CET, UTC+1 in winter)
T0 = datetime(2026, 12, 3, 7, 15, 2, tzinfo=UTC).timestamp()
PARIS = "CET-1CEST,M3.5.0,M10.5.0/3"    # POSIX rule of Europe/Paris: needs no tz database


class FakeClock:
    """Both clocks of Progress (monotonic and wall) in one: tests move time by hand."""

    def __init__(self, t: float = T0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def paris(monkeypatch):
    monkeypatch.setenv("TZ", PARIS)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def clock():
    return FakeClock()


def plain(clock, **kw):
    out = io.StringIO()
    return out, Progress(out, tty=False, clock=clock, wall_clock=clock, **kw)


def live(clock, width=100, **kw):
    out = io.StringIO()
    return out, Progress(out, tty=True, clock=clock, wall_clock=clock, width=width, refresh=None, **kw)


_SEQ = re.compile(r"\x1b\[(2K|\?25l|\?25h)")


def render(text: str, width: int = 1000):
    """Replay terminal output: returns (rows, cursor_visible, (x, y)). Knows CR, LF (the tty driver's
    ONLCR makes it CR LF), erase-line, hide/show cursor and auto-wrap at ``width``; anything else fails."""
    rows, x, y, visible, i = [[]], 0, 0, True, 0
    while i < len(text):
        ch = text[i]
        if ch == "\x1b":
            m = _SEQ.match(text, i)
            assert m, f"unexpected escape sequence {text[i:i + 8]!r}"
            if m.group(1) == "2K":
                rows[y] = []
            else:
                visible = m.group(1) == "?25h"
            i = m.end()
            continue
        if ch == "\r":
            x = 0
        elif ch == "\n":
            x, y = 0, y + 1
        else:
            assert ch.isprintable(), f"control character {ch!r}"
            if x >= width:
                x, y = 0, y + 1
            while len(rows) <= y:
                rows.append([])
            row = rows[y]
            row.extend(" " * (x + 1 - len(row)))
            row[x] = ch
            x += 1
        while len(rows) <= y:
            rows.append([])
        i += 1
    lines = ["".join(r).rstrip() for r in rows]
    return lines, visible, (x, y)


# ---------------------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------------------

def test_numbers_are_grouped_by_three_with_a_space():
    assert [format_count(n) for n in (0, 999, 1000, 143_609, 12_345_678)] == \
        ["0", "999", "1 000", "143 609", "12 345 678"]


def test_durations_are_minutes_seconds_then_hours():
    assert [format_duration(s) for s in (0, 59.99, 72.9, 3599, 3600, 3723, 36_000)] == \
        ["00:00", "00:59", "01:12", "59:59", "1:00:00", "1:02:03", "10:00:00"]


def test_sizes_use_decimal_units_and_a_decimal_comma():
    assert [format_bytes(n) for n in (1, 512, 1_000, 999_949, 999_960, 1_234_567_890)] == \
        ["1 octet", "512 octets", "1,0 ko", "999,9 ko", "1,0 Mo", "1,2 Go"]


def test_estimate_is_elapsed_times_what_is_left_over_what_is_done():
    # 124 of 643 files in 72 s: 72 * (643 - 124) / 124 = 37 368 / 124 = 301.35 s
    assert estimate_remaining(72, 124, 643) == pytest.approx(37_368 / 124)
    # exactly 3 %: 3 of 100 in 6 s -> 6 * 97 / 3 = 194 s
    assert estimate_remaining(6, 3, 100) == pytest.approx(194)


@pytest.mark.parametrize("elapsed, done, total", [
    (10, 2, 100),      # 2 %: below 3 %, too early
    (10, 29, 1000),    # 2.9 %
    (10, 5, None),     # no total
    (10, None, 100),   # nothing done yet
    (10, 100, 100),    # finished
    (0, 50, 100),      # no time elapsed
])
def test_no_estimate_without_a_total_before_3_percent_or_when_finished(elapsed, done, total):
    assert estimate_remaining(elapsed, done, total) is None


def test_truncation_counts_columns_and_ends_with_an_ellipsis():
    assert truncate("abcdef", 6) == "abcdef"
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("été", 2) == "é…"
    assert display_width("日本") == 4 and truncate("日本語", 4) == "日…"
    # a long file name keeps its head and its tail (where the month is)
    assert shorten_middle("dui_evenements_2024-03_v2.csv", 15) == "dui_eve…_v2.csv"
    assert display_width(shorten_middle("dui_evenements_2024-03_v2.csv", 15)) == 15


# ---------------------------------------------------------------------------------------------------------
# Plain mode (not a terminal)
# ---------------------------------------------------------------------------------------------------------

def test_plain_lines_exactly(paris, clock):
    out, p = plain(clock)
    p.stage("Ingestion", total=200, total_bytes=1_234_567_890)
    for i in range(1, 26):                       # one file per second, 1 000 rows each
        clock.advance(1)
        p.update(done=i, item="dui_evenements", rows=i * 1000)
        if i == 12:
            p.note("dui/dui_evenements_2024-03.csv refusé : séparateur inconnu")
    clock.advance(0.5)
    p.end_stage()
    p.stage("Calcul des indicateurs")
    clock.advance(65)
    p.end_stage("8 trimestres")
    p.close()
    # without done_bytes the estimate uses files: at 10 s, 10/200 -> 10 * 190 / 10 = 190 s;
    # at 20 s, 20/200 -> 20 * 180 / 20 = 180 s. 5 % then 10 %: each line is a new percentage.
    assert out.getvalue().splitlines() == [
        "2026-12-03 08:15:02 Ingestion : début (200 fichiers, 1,2 Go)",
        "2026-12-03 08:15:12 Ingestion  dui_evenements  10/200 fichiers  10 000 lignes  00:10  reste ~03:10",
        "2026-12-03 08:15:14 dui/dui_evenements_2024-03.csv refusé : séparateur inconnu",
        "2026-12-03 08:15:22 Ingestion  dui_evenements  20/200 fichiers  20 000 lignes  00:20  reste ~03:00",
        "2026-12-03 08:15:27 Ingestion : 25/200 fichiers, 25 000 lignes (durée 00:25)",
        "2026-12-03 08:15:27 Calcul des indicateurs : début",
        "2026-12-03 08:16:32 Calcul des indicateurs : 8 trimestres (durée 01:05)",
    ]


def test_plain_timestamps_are_local_time_summer_included(paris):
    clock = FakeClock(datetime(2026, 7, 1, 6, 0, 0, tzinfo=UTC).timestamp())  # CEST, UTC+2
    out, p = plain(clock)
    p.note("bonjour")
    assert out.getvalue() == "2026-07-01 08:00:00 bonjour\n"


def test_plain_progress_at_most_one_line_per_percent(paris, clock):
    # Regression: a slow stage with a big total must not write a line every 10 s for no visible change.
    out, p = plain(clock)
    p.stage("Ingestion", total=1000)
    for i in range(1, 21):                       # one file every 5 s: 1 % (10 files) takes 50 s
        clock.advance(5)
        p.update(done=i)
    lines = out.getvalue().splitlines()
    # t=50 s: 10/1000 = 1 % -> line; t=60 s: 1 % still -> none; t=100 s: 2 % -> line
    assert [ln[20:] for ln in lines] == [
        "Ingestion : début (1 000 fichiers)",
        "Ingestion  10/1 000 fichiers  00:50",                   # 1 % < 3 %: no estimate yet
        "Ingestion  20/1 000 fichiers  01:40",
    ]


def test_plain_progress_without_total_every_10_seconds(paris, clock):
    out, p = plain(clock)
    p.stage("Lecture", unit="lots")
    for i in range(1, 13):                       # every 3 s: lines at 12 s, 24 s, 36 s
        clock.advance(3)
        p.update(done=i, rows=i)
    body = [ln[20:] for ln in out.getvalue().splitlines()[1:]]
    assert body == ["Lecture  4 lots  4 lignes  00:12", "Lecture  8 lots  8 lignes  00:24",
                    "Lecture  12 lots  12 lignes  00:36"]


def test_estimate_prefers_bytes_to_files(paris, clock):
    out, p = plain(clock)
    p.stage("Ingestion", total=10, total_bytes=1000)
    clock.advance(20)
    # 1 file of 10 (10 %) but 500 bytes of 1 000 (50 %): by bytes 20 * 500 / 500 = 20 s, by files 180 s
    p.update(done=1, done_bytes=500)
    assert out.getvalue().splitlines()[1][20:] == "Ingestion  1/10 fichiers  00:20  reste ~00:20"


def test_no_estimate_before_3_percent(paris, clock):
    out, p = plain(clock)
    p.stage("Ingestion", total=100)
    clock.advance(10)
    p.update(done=2)                             # 2 %: no estimate
    clock.advance(10)
    p.update(done=3)                             # 3 % at 20 s: 20 * 97 / 3 = 646.7 s -> 10:47
    assert [ln[20:] for ln in out.getvalue().splitlines()[1:]] == [
        "Ingestion  2/100 fichiers  00:10", "Ingestion  3/100 fichiers  00:20  reste ~10:47"]


def test_plain_output_never_contains_escape_or_carriage_return(paris, clock):
    # Regression: dbt's coloured log lines ended up verbatim in cron mails.
    out, p = plain(clock)
    p.stage("\x1b[1mdbt\x1b[0m", total=3)
    p.note("\x1b[32mOK\x1b[0m created sql table model marts.ind_ep_6_1\r")
    p.note("ligne 1\nligne 2")
    clock.advance(11)
    p.update(done=1, item="\x1b]0;titre\x07ind_ep_6_2\r")
    p.end_stage("\x1b[31m3 modèles\x1b[0m")
    p.close()
    text = out.getvalue()
    assert "\x1b" not in text and "\r" not in text
    assert [ln[20:] for ln in text.splitlines()] == [
        "dbt : début (3 fichiers)",
        "OK created sql table model marts.ind_ep_6_1",
        "ligne 1",
        "ligne 2",
        "dbt  ind_ep_6_2  1/3 fichiers  00:11  reste ~00:22",
        "dbt : 3 modèles (durée 00:11)",
    ]


def test_a_new_stage_ends_the_previous_one(paris, clock):
    out, p = plain(clock)
    p.stage("A", total=2)
    clock.advance(3)
    p.update(done=2)
    p.stage("B")
    assert [ln[20:] for ln in out.getvalue().splitlines()] == ["A : début (2 fichiers)",
                                                               "A : 2/2 fichiers (durée 00:03)", "B : début"]


def test_failure_inside_the_context_leaves_the_state_of_the_stage(paris, clock):
    out = io.StringIO()
    with pytest.raises(RuntimeError), Progress(out, tty=False, clock=clock, wall_clock=clock) as p:
        p.stage("Ingestion", total=10)
        clock.advance(4)
        p.update(done=3, rows=1)
        raise RuntimeError("boom")
    assert out.getvalue().splitlines()[-1][20:] == "Ingestion : échec à 3/10 fichiers, 1 ligne (durée 00:04)"


def test_unencodable_characters_do_not_break_the_run(clock):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    p = Progress(stream, tty=False, clock=clock, wall_clock=clock)
    p.note("refusé")
    stream.flush()
    assert raw.getvalue().decode("ascii").endswith(" refus?\n")


def test_a_closed_stream_does_not_break_the_run(clock):
    class Broken(io.StringIO):
        def write(self, s):
            raise BrokenPipeError(32, "Broken pipe")

    p = Progress(Broken(), tty=True, clock=clock, width=80, refresh=None)
    p.stage("Ingestion", total=3)
    p.update(done=1)
    p.note("x")
    p.end_stage()
    p.close()


def test_terminal_detection(monkeypatch):
    class FakeTty(io.StringIO):
        def isatty(self):
            return True

    assert Progress(io.StringIO()).tty is False
    monkeypatch.setenv("TERM", "xterm-256color")
    p = Progress(FakeTty(), refresh=None)
    assert p.tty is True
    p.close()
    monkeypatch.setenv("TERM", "dumb")
    assert Progress(FakeTty()).tty is False


# ---------------------------------------------------------------------------------------------------------
# Terminal mode
# ---------------------------------------------------------------------------------------------------------

def test_live_line_is_redrawn_at_most_ten_times_per_second():
    clock = FakeClock(0.0)
    out, p = live(clock)
    p.stage("Ingestion", total=640)
    # 640 updates, one every 1/64 s (exact in binary) = 10 s: a redraw needs >= 0.1 s since the last one,
    # i.e. 7 steps (7/64 = 0.109 s), so updates 7, 14, ..., 637 are drawn: 91 redraws + the first one.
    for k in range(1, 641):
        clock.t = k / 64
        p.update(done=k)
    text = out.getvalue()
    assert text.count(CLEAR_LINE) == 1 + 91
    lines, visible, _ = render(text)
    assert lines == ["Ingestion  637/640 fichiers  00:09  reste ~00:00"] and not visible
    assert text.count(HIDE_CURSOR) == 1


def test_live_line_fits_the_terminal_width(clock):
    out, p = live(clock, width=80)
    p.stage("Ingestion", total=643)
    clock.advance(72)
    p.update(done=124, item="dui/dui_evenements_2024-03_livraison_complementaire_v2.csv", rows=12_345_678)
    lines, _, _ = render(out.getvalue(), width=80)
    # 127 columns in full; 79 allowed (the last column stays free: some terminals wrap as soon as it is
    # written): the 58-column file name loses 48 in its middle, counts, elapsed and estimate stay visible.
    # Estimate: 72 * (643 - 124) / 124 = 301.35 s -> 05:01.
    assert lines == ["Ingestion  dui/…2.csv  124/643 fichiers  12 345 678 lignes  01:12  reste ~05:01"]
    assert display_width(lines[0]) == 79


def test_live_line_is_cut_when_even_the_counts_do_not_fit(clock):
    out, p = live(clock, width=20)
    p.stage("Ingestion", total=643)
    clock.advance(72)
    p.update(done=124, rows=12_345_678)
    lines, _, _ = render(out.getvalue(), width=20)
    assert lines == ["Ingestion  124/643…"]                # 19 columns


def test_notes_and_summaries_go_above_the_live_line(clock):
    out, p = live(clock)
    p.stage("Ingestion", total=3)
    clock.advance(1)
    p.update(done=1, item="a.csv", rows=10)
    p.note("b.csv refusé : vide")
    clock.advance(1)
    p.update(done=2, item="c.csv", rows=25)
    lines, visible, _ = render(out.getvalue())
    assert lines == ["b.csv refusé : vide", "Ingestion  c.csv  2/3 fichiers  25 lignes  00:02  reste ~00:01"]
    assert not visible
    p.end_stage("3 fichiers, 25 lignes")
    p.stage("Publication")
    lines, visible, _ = render(out.getvalue())
    assert lines == ["b.csv refusé : vide", "Ingestion : 3 fichiers, 25 lignes (durée 00:02)",
                     "Publication  00:00"]


def test_close_clears_the_live_line_and_restores_the_cursor(clock):
    out, p = live(clock)
    p.stage("Ingestion", total=3)
    p.update(done=1)
    p.close()
    text = out.getvalue()
    lines, visible, pos = render(text)
    assert lines == [""] and visible and pos == (0, 0)
    assert text.endswith(CLEAR_LINE + SHOW_CURSOR)
    p.close()                                    # idempotent
    p.update(done=2)                             # and silent afterwards
    assert out.getvalue() == text


def test_ctrl_c_restores_the_cursor_and_keeps_the_last_state(clock):
    out = io.StringIO()
    with pytest.raises(KeyboardInterrupt), Progress(out, tty=True, clock=clock, width=100, refresh=None) as p:
        p.stage("Ingestion", total=10)
        clock.advance(5)
        p.update(done=3)
        raise KeyboardInterrupt
    lines, visible, pos = render(out.getvalue())
    assert lines == ["Ingestion : interrompu à 3/10 fichiers (durée 00:05)", ""] and visible and pos == (0, 1)


def test_ticker_moves_the_elapsed_time_without_updates():
    # Regression: nothing moved on screen during a long step that sends no update (a dbt build).
    out = io.StringIO()
    p = Progress(out, tty=True, width=100, refresh=0.02)
    p.stage("dbt build")
    deadline = time.monotonic() + 5
    while out.getvalue().count(CLEAR_LINE) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert out.getvalue().count(CLEAR_LINE) >= 4
    p.close()
    assert not p._ticker.is_alive()
    after = out.getvalue()
    time.sleep(0.1)
    assert out.getvalue() == after                 # nothing drawn once closed
    assert render(after)[0:2] == ([""], True)


class _SlowStream(io.StringIO):
    """Writes one character at a time, yielding to other threads between them: without a lock, two
    threads' lines would interleave."""

    def write(self, s):
        for ch in s:
            super().write(ch)
            time.sleep(0)
        return len(s)


@pytest.mark.parametrize("tty", [False, True])
def test_updates_and_notes_from_several_threads_do_not_interleave(clock, tty):
    out = _SlowStream()
    p = Progress(out, tty=tty, clock=clock, wall_clock=clock, width=100, refresh=None)
    p.stage("Ingestion", total=200)

    def work(n):
        for i in range(25):
            p.update(done=n * 25 + i, item=f"t{n}")
            p.note(f"thread {n} note {i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    p.close()
    if tty:
        lines, visible, _ = render(out.getvalue())
        notes = lines[:-1]
        assert lines[-1] == "" and visible
    else:
        notes = [ln[20:] for ln in out.getvalue().splitlines()[1:]]
    assert sorted(notes) == sorted(f"thread {n} note {i}" for n in range(4) for i in range(25))


def test_module_uses_only_the_standard_library():
    import ast
    import sys
    from pathlib import Path

    tree = ast.parse(Path(pg.__file__).read_text(encoding="utf-8"))
    names = {a.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
    assert names <= set(sys.stdlib_module_names) | {"__future__"}
