"""Progress of a command: a live line on a terminal (``rich``), plain timestamped lines anywhere else.

A command-line run is a Dagster run: its events (a step starts, an ingestion batch is loaded, a model is
materialised, a check is evaluated, a step ends) reach ``Display.on_event`` through the logger ``progress`` of the
code location, which the command line configures for its runs (``pipeline.Jobs``). Commands that are not Dagster
runs (``generate``, ``cnsa``, ``audit-sample``) drive the same display with ``stage``/``update``/``note``.

On a terminal the person sees one live line at the bottom — stage, item, files n/N, rows, elapsed time and, where a
total is known, an estimate of what remains — with permanent lines above it (a stage's summary, a refused file).
On a file, a pipe or a cron mail: plain lines prefixed by the local time, at most one progress line every 10 s per
stage, and never an escape sequence (``rich`` is told the stream is not a terminal, and text from elsewhere, a
file name or a dbt message, is stripped of control characters).

    with Display() as d:
        d.stage("Ingestion", total=len(files))
        d.update(done=3, item="coord_evenements_2024-03.csv", rows=1_234_567)
        d.note("REFUSED dui/dui_evenements_2024-03.csv: unknown separator")
        d.end_stage("643 files, 56,412,003 rows")
"""
from __future__ import annotations

import contextlib
import logging
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

import dagster as dg

PLAIN_LINE_INTERVAL = 10.0  # seconds between two progress lines of a stage off a terminal
# metadata of the ingestion's progress observations (ingestion/assets.py)
FILES_DONE, FILES_TOTAL, ROWS, ITEM = "files_done", "files_total", "rows_loaded", "file"
# the bytes of the files done and to do: the estimate of what remains (files differ a hundredfold in size)
BYTES_DONE, BYTES_TOTAL = "bytes_done", "bytes_total"
_CONTROL = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_]?)|[\x00-\x09\x0b-\x1f\x7f-\x9f]")

# What a step of the jobs is, for the person watching (the step key otherwise)
STEP_LABELS = {
    "dbt_reference": "Seeds, staging and the gate's models (dbt)",
    "landing_gate": "Landing checks",
    "dbt_indicators": "Indicators, audit trail and publish models (dbt)",
    "pre_publication_gate": "Pre-publication gate",
    "publish__publication": "Publication",
}


def clean(text) -> str:
    """One line, no escape sequence nor control character (a tab becomes a space)."""
    return _CONTROL.sub("", str(text).replace("\t", " ").replace("\r\n", " ").replace("\n", " "))


def step_label(step_key: str) -> str:
    if step_key in STEP_LABELS:
        return STEP_LABELS[step_key]
    if step_key.endswith("_extracts") or step_key.endswith("_stock"):
        return f"Ingestion: {step_key.rsplit('_', 1)[0].replace('_', ' ')}"
    return step_key


def format_duration(seconds: float) -> str:
    """MM:SS, or H:MM:SS from one hour."""
    s = max(0, int(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def estimate_remaining(elapsed: float, done: int | None, total: int | None) -> float | None:
    """Seconds left at the pace so far; None without a total, before 3 % of it, or once done."""
    if done is None or not total or elapsed <= 0 or done * 100 < 3 * total or done >= total:
        return None
    return elapsed * (total - done) / done


@dataclass
class _Stage:
    name: str
    started: float
    total: int | None = None
    unit: str = "files"
    done: int | None = None
    item: str | None = None
    rows: int | None = None
    work: tuple[int, int] | None = None  # (done, total) in the unit the estimate is made on, when not ``unit``
    counts: dict[str, int] = field(default_factory=dict)  # checks passed, checks failed...
    assets: set = field(default_factory=set)  # the assets materialised
    last_line: float = 0.0

    def fields(self, now: float) -> list[str]:
        out = [self.name]
        if self.item:
            out.append(self.item)
        if self.done is not None:
            out.append(f"{self.done}/{self.total} {self.unit}" if self.total else f"{self.done} {self.unit}")
        if self.rows is not None:
            out.append(f"{self.rows:,} rows")
        out += self._counted()
        elapsed = now - self.started
        out.append(format_duration(elapsed))
        left = estimate_remaining(elapsed, *(self.work or (self.done, self.total)))
        if left is not None:
            out.append(f"~{format_duration(left)} left")
        return out

    def summary(self) -> str:
        parts = []
        if self.done is not None:
            parts.append(f"{self.done} {self.unit}")
        if self.rows is not None:
            parts.append(f"{self.rows:,} rows")
        return ", ".join(parts + self._counted())

    def _counted(self) -> list[str]:
        out = [f"{len(self.assets)} table{'s' if len(self.assets) > 1 else ''}"] if self.assets else []
        return out + [f"{n:,} {what}" for what, n in self.counts.items() if n]


class Display:
    """Stages with a live line on a terminal, plain timestamped lines elsewhere (see the module docstring).
    ``stream``: where to write (stdout by default); ``tty``: None asks the stream (TERM=dumb is not a terminal)."""

    def __init__(self, stream=None, *, tty: bool | None = None, clock=time.monotonic):
        from rich.console import Console

        self._stream = sys.stdout if stream is None else stream
        self.tty = _is_terminal(self._stream) if tty is None else bool(tty)
        self._clock = clock
        self._lock = threading.RLock()
        self._stage: _Stage | None = None
        self._live = None
        self._console = Console(file=self._stream, force_terminal=self.tty, no_color=not self.tty,
                                highlight=False, soft_wrap=False) if self.tty else None

    # -- the API of a command -------------------------------------------------------------------------------
    def stage(self, name: str, total: int | None = None, unit: str = "files") -> None:
        with self._lock:
            if self._stage is not None:
                self._end(None)
            now = self._clock()
            self._stage = _Stage(clean(name), now, total, unit, last_line=now)
            if self.tty:
                self._start_live()
            else:
                self._plain(f"{self._stage.name}…")

    def update(self, *, done: int | None = None, total: int | None = None, item: str | None = None,
               rows: int | None = None, count: str | None = None, add: int = 1,
               work: tuple[int, int] | None = None) -> None:
        """Progress of the current stage (totals so far; ``count`` adds ``add`` to a named counter; ``work``: done and
        total in the measure the estimate is made on, bytes for files, when it is not the count shown)."""
        with self._lock:
            st = self._stage
            if st is None:
                return
            if done is not None:
                st.done = done
            if total is not None:
                st.total = total
            if item is not None:
                st.item = clean(item)
            if rows is not None:
                st.rows = rows
            if work is not None:
                st.work = work
            if count is not None:
                st.counts[count] = st.counts.get(count, 0) + add
            now = self._clock()
            if self.tty:
                self._refresh()
            elif now - st.last_line >= PLAIN_LINE_INTERVAL:
                st.last_line = now
                self._plain("  ".join(st.fields(now)))

    def note(self, text: str) -> None:
        """A permanent line (above the live line on a terminal)."""
        with self._lock:
            if self.tty:
                self._console.print(clean(text), markup=False, highlight=False)
            else:
                self._plain(clean(text))

    def end_stage(self, summary: str | None = None, failed: bool = False) -> None:
        with self._lock:
            if self._stage is not None:
                self._end(summary, failed)

    def close(self) -> None:
        with self._lock:
            self._stage = None
            if self._live is not None:
                self._live.stop()
                self._live = None

    def __enter__(self) -> "Display":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:  # the command failed: its stage says so, the error follows
            self.end_stage(failed=True)
        self.close()
        return False

    # -- the events of a Dagster run --------------------------------------------------------------------------
    def on_event(self, ev: dg.DagsterEvent) -> None:
        kind = ev.event_type_value
        if kind == "STEP_START":
            self.stage(step_label(ev.step_key))
        elif kind == "ASSET_OBSERVATION":
            md = {k: getattr(v, "value", v) for k, v in ev.event_specific_data.asset_observation.metadata.items()}
            if FILES_DONE in md:
                work = (md[BYTES_DONE], md[BYTES_TOTAL]) if BYTES_TOTAL in md else None
                self.update(done=md[FILES_DONE], total=md.get(FILES_TOTAL), item=md.get(ITEM), rows=md.get(ROWS),
                            work=work)
        elif kind == "ASSET_MATERIALIZATION":
            # a partition-range run materialises each model once per quarter: count the models
            with self._lock:
                if self._stage is not None and ev.asset_key is not None:
                    self._stage.assets.add(ev.asset_key)
            self.update(item=ev.asset_key.to_user_string() if ev.asset_key else None)
        elif kind == "ASSET_CHECK_EVALUATION":
            data = ev.event_specific_data
            blocking = getattr(getattr(data, "severity", None), "value", "ERROR") == "ERROR"
            self.update(count="checks passed" if data.passed else "checks failed" if blocking else "warnings")
        elif kind == "STEP_SUCCESS":
            self.end_stage()
        elif kind == "STEP_FAILURE":
            self.end_stage(failed=True)
        elif kind == "STEP_SKIPPED":
            self.note(f"· {step_label(ev.step_key)}: skipped (an earlier step failed or the gate refused)")

    # -- output -----------------------------------------------------------------------------------------------
    def _end(self, summary: str | None, failed: bool = False) -> None:
        st, self._stage = self._stage, None
        took = format_duration(self._clock() - st.started)
        text = clean(summary) if summary is not None else st.summary()
        line = f"{'✗' if failed else '✓'} {st.name}{' FAILED' if failed else ''}" + (f": {text}" if text else "") \
            + f" ({took})"
        if self.tty:
            self._refresh()
            self._console.print(line, markup=False, highlight=False)
        else:
            self._plain(line)

    def _render(self):
        from rich.text import Text

        st = self._stage
        if st is None:
            return Text("")
        spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"[int(time.monotonic() * 8) % 10]
        line = Text(f"{spinner} " + "  ·  ".join(st.fields(self._clock())), no_wrap=True, overflow="ellipsis")
        return line

    def _start_live(self) -> None:
        from rich.live import Live

        if self._live is None:
            self._live = Live(get_renderable=self._render, console=self._console, refresh_per_second=4,
                              transient=True, redirect_stdout=False, redirect_stderr=False)
            self._live.start()

    def _refresh(self) -> None:
        if self._live is not None:
            self._live.refresh()

    def _plain(self, text: str) -> None:
        try:
            self._stream.write(f"{datetime.now():%H:%M:%S} {text}\n")
            self._stream.flush()
        except (OSError, ValueError):  # a closed pipe: the run goes on
            pass


def _is_terminal(stream) -> bool:
    import os

    try:
        return stream.isatty() and os.environ.get("TERM", "") != "dumb"
    except (AttributeError, ValueError):
        return False


# -- the link between the runs of this process and the display of the command ----------------------------------
_current: Display | None = None


@contextlib.contextmanager
def attached(display: Display | None):
    """The events of the runs executed in this block go to ``display``."""
    global _current
    before, _current = _current, display
    try:
        yield
    finally:
        _current = before


class _EventHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        ev = getattr(record, "dagster_event", None)
        if ev is not None and _current is not None:
            try:
                _current.on_event(ev)
            except Exception:  # a display must never fail a run
                pass


@dg.logger(description="Feeds the progress display of the command line with the run's events (no output of its own "
                       "when no display is attached: a run launched from the UI logs through Dagster's console).")
def progress_logger(init_context) -> logging.Logger:
    lg = logging.Logger("eparcours_progress", level=logging.DEBUG)
    lg.addHandler(_EventHandler())
    return lg
