"""Progress of a command-line run: a live status line on a terminal, plain timestamped lines otherwise.

Why: ``eparcours run`` printed hundreds of lines (dbt's log, with ANSI colours, also in cron mails) and
nothing moved during ingestion, the longest stage. ``Progress`` gives the person at a terminal one live
line at the bottom (stage, item, files n/N, rows, elapsed time, an estimate of what remains), with notes
and stage summaries printed above it as permanent lines; a file, a pipe or cron gets plain lines prefixed
by a local timestamp, rate-limited, and never a ``\\r`` or an ``\\x1b``.

    with Progress() as p:
        p.stage("Ingestion", total=len(files), total_bytes=sum(sizes))
        for f in files:
            ...
            p.update(done=i, item=f.name, rows=rows_so_far, done_bytes=bytes_so_far)
        p.note("dui/dui_evenements_2024-03.csv refusé : séparateur inconnu")
        p.end_stage("643 fichiers, 143 609 lignes")

Standard library only. Thread-safe: every public method takes one lock around state and output, so
updates may come from a worker thread. What is displayed is French; stage names come from the caller.
"""
from __future__ import annotations

import atexit
import codecs
import math
import os
import re
import shutil
import sys
import threading
import time
import unicodedata
from dataclasses import dataclass
from typing import Self

CLEAR_LINE = "\r\x1b[2K"        # back to column 0, erase the whole line
HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"

MIN_REDRAW_INTERVAL = 0.1       # seconds: at most ~10 redraws of the live line per second
PLAIN_LINE_INTERVAL = 10.0      # seconds: at most one progress line every 10 s when not on a terminal
MIN_PERCENT_FOR_ESTIMATE = 3

# ANSI escape sequences (CSI ... final byte, OSC ... BEL/ST, two-byte ESC x) and other control characters
# that a caller's text may carry (dbt messages, file names): removed so that plain output stays plain and
# the live line keeps the width we computed.
_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_]?)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# ----------------------------------------------------------------------------------------------------------
# Pure helpers (formatting and arithmetic), tested on their own
# ----------------------------------------------------------------------------------------------------------

def format_count(n: int) -> str:
    """12345678 -> '12 345 678' (French grouping, a normal space: safe in every terminal and mail)."""
    return f"{n:,}".replace(",", " ")


def format_duration(seconds: float) -> str:
    """Whole seconds as MM:SS, or H:MM:SS from one hour: 72.9 -> '01:12', 3723 -> '1:02:03'."""
    s = max(0, int(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def format_bytes(n: int) -> str:
    """Decimal units with a French decimal comma: 512 -> '512 octets', 1_234_567_890 -> '1,2 Go'."""
    if n < 1000:
        return f"{n} octet" + ("s" if n >= 2 else "")
    value = float(n)
    for unit in ("ko", "Mo", "Go", "To"):
        value /= 1000
        if value < 999.95 or unit == "To":
            return f"{value:.1f}".replace(".", ",") + f" {unit}"
    raise AssertionError("unreachable")


def plural(n: int, word: str) -> str:
    """French rule: 0 and 1 take the singular ('0 ligne', '1 ligne', '2 lignes')."""
    return f"{format_count(n)} {word}{'' if abs(n) < 2 else 's'}"


def estimate_remaining(elapsed: float, done: int | None, total: int | None) -> float | None:
    """Seconds left if the rest goes at the pace so far: elapsed * (total - done) / done.

    None without a total, before 3 % done (too noisy), or once done (nothing left to estimate).
    Integer comparisons, so that exactly 3 % is estimated whatever the float rounding."""
    if done is None or not total or elapsed <= 0 or done * 100 < MIN_PERCENT_FOR_ESTIMATE * total \
            or done >= total:
        return None
    return elapsed * (total - done) / done


def clean_text(text: str, *, one_line: bool = False) -> str:
    """Strip ANSI escape sequences and control characters; tabs become spaces (newlines too if one_line)."""
    text = _ESCAPE.sub("", str(text)).replace("\t", " ")
    if one_line:
        text = text.replace("\r\n", " ").replace("\n", " ")
    return _CONTROL.sub("", text)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns a string takes on a terminal (combining marks 0, East Asian wide characters 2)."""
    return sum(_char_width(c) for c in text)


def truncate(text: str, columns: int) -> str:
    """At most ``columns`` columns; a cut line ends with '…'."""
    if display_width(text) <= columns:
        return text
    out, used = [], 0
    for ch in text:
        w = _char_width(ch)
        if used + w > columns - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" if columns >= 1 else ""


def shorten_middle(text: str, columns: int) -> str:
    """Keep the head and the tail (a file name's date is at its end): 'dui_eve…2024-03.csv'."""
    if display_width(text) <= columns:
        return text
    if columns < 2:
        return truncate(text, columns)
    head = truncate(text, (columns + 1) // 2)[:-1]
    tail_cols, tail = columns - 1 - display_width(head), []
    for ch in reversed(text):
        if display_width("".join(tail)) + _char_width(ch) > tail_cols:
            break
        tail.append(ch)
    return head + "…" + "".join(reversed(tail))


# ----------------------------------------------------------------------------------------------------------
# The state of one stage
# ----------------------------------------------------------------------------------------------------------

@dataclass
class _Stage:
    name: str
    total: int | None
    unit: str
    total_bytes: int | None
    started: float
    done: int | None = None
    item: str | None = None
    rows: int | None = None
    done_bytes: int | None = None
    last_line_at: float = 0.0       # plain mode: when the last line about this stage was written
    last_line_pct: int = 0          # plain mode: the percentage it showed

    def measure(self) -> tuple[int | None, int | None]:
        """(done, total) the estimate and the percentage use: bytes when both are known (files differ
        widely in size, so bytes are the more stable measure), else items."""
        if self.total_bytes and self.done_bytes is not None:
            return self.done_bytes, self.total_bytes
        return self.done, self.total

    def percent(self) -> int | None:
        """Whole percent done, in integers (no float rounding at the boundaries)."""
        done, total = self.measure()
        return done * 100 // total if done is not None and total else None

    def counts(self) -> list[str]:
        parts = []
        if self.total is not None:
            parts.append(f"{format_count(self.done or 0)}/{format_count(self.total)} {self.unit}")
        elif self.done is not None:
            parts.append(f"{format_count(self.done)} {self.unit}")
        if self.rows is not None:
            parts.append(plural(self.rows, "ligne"))
        return parts


def status_fields(st: _Stage, now: float) -> list[str]:
    """The fields of the status line: stage, item, n/N unit, rows, elapsed, estimate."""
    elapsed = now - st.started
    fields = [st.name] + ([st.item] if st.item else []) + st.counts() + [format_duration(elapsed)]
    left = estimate_remaining(elapsed, *st.measure())
    if left is not None:
        fields.append(f"reste ~{format_duration(round(left))}")
    return fields


def fit_status(fields: list[str], item_index: int | None, columns: int) -> str:
    """Join the fields with two spaces in at most ``columns`` columns: the item (a long file name) is
    shortened in its middle first, so that counts, elapsed time and estimate stay visible; then cut."""
    line = "  ".join(fields)
    excess = display_width(line) - columns
    if excess > 0 and item_index is not None:
        item = fields[item_index]
        room = max(8, display_width(item) - excess)
        if room < display_width(item):
            fields = fields[:item_index] + [shorten_middle(item, room)] + fields[item_index + 1:]
            line = "  ".join(fields)
    return truncate(line, columns)


# ----------------------------------------------------------------------------------------------------------
# Progress
# ----------------------------------------------------------------------------------------------------------

class Progress:
    """Stages with a live line on a terminal, plain timestamped lines elsewhere (see the module docstring).

    stream: where to write (sys.stdout when None). tty: None asks ``stream.isatty()`` (a dumb terminal,
    TERM=dumb, counts as not a terminal). clock: monotonic seconds for durations and rate limits.
    width: terminal columns (asked of the terminal at each redraw when None). wall_clock: epoch seconds
    of the timestamps of plain lines. refresh: on a terminal, seconds between redraws when the caller sends
    nothing (so that the elapsed time moves during a long step); None redraws only on calls.
    """

    def __init__(self, stream=None, *, tty: bool | None = None, clock=time.monotonic, width: int | None = None,
                 wall_clock=time.time, refresh: float | None = 0.5):
        self._stream = sys.stdout if stream is None else stream
        self._tty = _is_terminal(self._stream) if tty is None else bool(tty)
        self._clock = clock
        self._wall_clock = wall_clock
        self._width = width
        self._refresh = refresh
        self._lock = threading.RLock()
        self._stage: _Stage | None = None
        self._live_shown = False        # the live line is on screen (terminal mode)
        self._cursor_hidden = False
        self._last_draw = -math.inf
        self._closed = False
        self._broken = False            # the stream failed (closed pipe): stop writing, never raise
        self._encoding = _lossy_encoding(self._stream)
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        if self._tty:
            atexit.register(self.close)     # restore the cursor even if nobody calls close()

    @property
    def tty(self) -> bool:
        return self._tty

    # -- public API --------------------------------------------------------------------------------------

    def stage(self, name: str, total: int | None = None, unit: str = "fichiers",
              total_bytes: int | None = None) -> None:
        """Start a stage (ending the previous one if still open)."""
        with self._lock:
            if self._closed:
                return
            if self._stage is not None:
                self._end(None)
            now = self._clock()
            self._stage = _Stage(clean_text(name, one_line=True), total, clean_text(unit, one_line=True),
                                 total_bytes, started=now, last_line_at=now)
            if self._tty:
                self._draw(now)
                self._start_ticker()
            else:
                self._plain(self._start_text(self._stage))

    def update(self, *, done: int | None = None, item: str | None = None, rows: int | None = None,
               done_bytes: int | None = None) -> None:
        """Record progress of the current stage (values are totals so far, not increments); ignored when
        no stage is open."""
        with self._lock:
            st = self._stage
            if self._closed or st is None:
                return
            if done is not None:
                st.done = done
            if item is not None:
                st.item = clean_text(item, one_line=True)
            if rows is not None:
                st.rows = rows
            if done_bytes is not None:
                st.done_bytes = done_bytes
            now = self._clock()
            if self._tty:
                # within 0.1 s of the last redraw the change waits for the next call or the ticker
                if now - self._last_draw >= MIN_REDRAW_INTERVAL:
                    self._draw(now)
            elif now - st.last_line_at >= PLAIN_LINE_INTERVAL:
                pct = st.percent()
                if pct is None or pct > st.last_line_pct:
                    self._plain("  ".join(status_fields(st, now)))
                    st.last_line_at = now
                    st.last_line_pct = pct if pct is not None else st.last_line_pct

    def note(self, text: str) -> None:
        """A permanent line (a warning, 'fichier X refusé : ...'), above the live line on a terminal."""
        with self._lock:
            text = clean_text(text)
            if self._tty and not self._closed:
                self._write((CLEAR_LINE if self._live_shown else "") + text + "\n")
                self._live_shown = False
                if self._stage is not None:
                    self._draw(self._clock())
            elif self._tty:
                self._write(text + "\n")
            else:
                self._plain(text)

    def end_stage(self, summary: str | None = None) -> None:
        """End the current stage with a permanent line: its summary (default: its counts) and duration."""
        with self._lock:
            if not self._closed and self._stage is not None:
                self._end(summary)

    def close(self) -> None:
        """Clear the live line and restore the cursor; idempotent. A stage left open gets no summary."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._stop.set()
            if self._tty:
                self._write((CLEAR_LINE if self._live_shown else "") + (SHOW_CURSOR if self._cursor_hidden else ""))
                self._live_shown = self._cursor_hidden = False
            self._stage = None
        ticker = self._ticker
        if ticker is not None and ticker is not threading.current_thread():
            ticker.join(timeout=2)
        atexit.unregister(self.close)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        # On an exception or Ctrl-C, the state of the stage at that moment stays on screen (or in the log).
        if exc_type is not None:
            with self._lock:
                st = self._stage
                if st is not None and not self._closed:
                    what = "interrompu" if issubclass(exc_type, KeyboardInterrupt) else "échec"
                    counts = ", ".join(st.counts())
                    self._end(f"{what} à {counts}" if counts else what)
        self.close()
        return False

    # -- internals (called with the lock held) -----------------------------------------------------------

    def _end(self, summary: str | None) -> None:
        st, now = self._stage, self._clock()
        self._stage = None
        text = clean_text(summary, one_line=True) if summary else (", ".join(st.counts()) or "terminé")
        line = f"{st.name} : {text} (durée {format_duration(now - st.started)})"
        if self._tty:
            self._write((CLEAR_LINE if self._live_shown else "") + line + "\n"
                        + (SHOW_CURSOR if self._cursor_hidden else ""))
            self._live_shown = self._cursor_hidden = False
        else:
            self._plain(line)

    @staticmethod
    def _start_text(st: _Stage) -> str:
        sizes = ([f"{format_count(st.total)} {st.unit}"] if st.total is not None else []) \
            + ([format_bytes(st.total_bytes)] if st.total_bytes is not None else [])
        return f"{st.name} : début" + (f" ({', '.join(sizes)})" if sizes else "")

    def _columns(self) -> int:
        if self._width is not None:
            return self._width
        try:
            return os.get_terminal_size(self._stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            return shutil.get_terminal_size((80, 24)).columns

    def _draw(self, now: float) -> None:
        st = self._stage
        fields = status_fields(st, now)
        # one column is kept free: writing into the last one makes some terminals wrap at once
        line = fit_status(fields, 1 if st.item else None, max(1, self._columns() - 1))
        self._write(("" if self._cursor_hidden else HIDE_CURSOR) + CLEAR_LINE + line)
        self._cursor_hidden = self._live_shown = True
        self._last_draw = now

    def _plain(self, text: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S ", time.localtime(self._wall_clock()))
        self._write("".join(stamp + line + "\n" for line in (text.splitlines() or [""])))

    def _write(self, text: str) -> None:
        if self._broken or not text:
            return
        if self._encoding:
            text = text.encode(self._encoding, "replace").decode(self._encoding)
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):     # a closed pipe or file must not break the pipeline
            self._broken = True

    def _start_ticker(self) -> None:
        if self._refresh is None or self._ticker is not None:
            return
        self._ticker = threading.Thread(target=self._tick, name="progress-ticker", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(self._refresh):
            with self._lock:
                if self._closed:
                    return
                now = self._clock()
                if self._stage is not None and now - self._last_draw >= MIN_REDRAW_INTERVAL:
                    self._draw(now)


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _lossy_encoding(stream) -> str | None:
    """The stream's encoding when it cannot write every character (cron under an ASCII locale): then
    unencodable characters become '?' instead of raising in the middle of a run."""
    enc = getattr(stream, "encoding", None)
    if not isinstance(enc, str):
        return None
    try:
        name = codecs.lookup(enc).name
    except LookupError:
        return None
    return None if name in ("utf-8", "utf-16", "utf-32") else enc
