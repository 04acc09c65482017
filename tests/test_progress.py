"""The progress display (dagster_project/progress.py) on small, fabricated inputs: plain lines off a terminal, the
events of a Dagster run mapped to stages, counts and files, and what a terminal gets. The real terminal is
tests/test_progress_tmux.py; the real run tests/e2e/test_one_control_plane.py."""
import io
import re
from types import SimpleNamespace as NS

import dagster as dg
from dagster_project.progress import Display, clean, estimate_remaining, format_duration, step_label

TIME = r"\d\d:\d\d:\d\d "


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def plain(clock=None):
    out = io.StringIO()
    return Display(out, tty=False, clock=clock or Clock()), out


def test_durations_and_estimates():
    assert format_duration(72.9) == "01:12" and format_duration(3723) == "1:02:03"
    assert estimate_remaining(10, 25, 100) == 30
    assert estimate_remaining(10, 2, 100) is None            # before 3 %: too noisy
    assert estimate_remaining(10, 100, 100) is None and estimate_remaining(10, 5, None) is None


def test_plain_lines_a_stage_its_progress_at_most_every_10_seconds_and_its_summary():
    clock = Clock()
    d, out = plain(clock)
    d.stage("Ingestion: dui", total=40)
    clock.now += 4
    d.update(done=10, item="dui_evenements_2024-03.csv", rows=12_345)   # within 10 s: no line
    clock.now += 7
    d.update(done=20, rows=24_690)
    d.note("REFUSED dui/x.csv: unknown separator")
    clock.now += 11
    d.update(done=40, rows=49_380)
    d.end_stage()
    lines = out.getvalue().splitlines()
    assert [re.sub(TIME, "", ln, count=1) for ln in lines] == [
        "Ingestion: dui…",
        "Ingestion: dui  dui_evenements_2024-03.csv  20/40 files  24,690 rows  00:11  ~00:11 left",
        "REFUSED dui/x.csv: unknown separator",
        "Ingestion: dui  dui_evenements_2024-03.csv  40/40 files  49,380 rows  00:22",
        "✓ Ingestion: dui: 40 files, 49,380 rows (00:22)",
    ]
    assert all(re.match(TIME, ln) for ln in lines)


def test_nothing_of_a_caller_s_text_reaches_the_output_as_an_escape_or_a_control_character():
    d, out = plain()
    d.stage("dbt \x1b[32mOK\x1b[0m\r\n")
    d.note("file\tname\x07 with \x1b]8;;http://x\x07link")
    d.end_stage("done\x1b[2K")
    text = out.getvalue()
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text and "\t" not in text
    assert clean("a\x1b[31mb\x1b[0m\nc") == "ab c"


def test_a_new_stage_ends_the_previous_one_and_a_failed_step_says_so():
    d, out = plain()
    d.stage("one")
    d.stage("two")
    d.end_stage(failed=True)
    lines = [re.sub(TIME, "", ln, count=1) for ln in out.getvalue().splitlines()]
    assert lines == ["one…", "✓ one (00:00)", "two…", "✗ two FAILED (00:00)"]


def test_a_closed_stream_does_not_fail_the_run():
    out = io.StringIO()
    d = Display(out, tty=False)
    out.close()
    d.stage("x")
    d.note("y")
    d.end_stage()


def ev(kind, step="dbt_indicators", **data):
    return NS(event_type_value=kind, step_key=step, asset_key=data.pop("asset_key", None),
              event_specific_data=NS(**data))


def observation(**md):
    return {"asset_observation": NS(metadata={k: dg.MetadataValue.int(v) if isinstance(v, int) else
                                              dg.MetadataValue.text(v) for k, v in md.items()})}


def test_the_events_of_a_run_make_stages_files_rows_models_and_checks():
    d, out = plain()
    d.on_event(ev("STEP_START", "coordination_extracts"))
    d.on_event(ev("ASSET_OBSERVATION", "coordination_extracts", **observation(
        files_done=112, files_total=112, file="coord_messages_2024-12.csv", rows_loaded=13_192)))
    for t in ("coord_dossiers", "coord_evenements"):
        d.on_event(ev("ASSET_MATERIALIZATION", "coordination_extracts", asset_key=dg.AssetKey(["raw", t])))
    d.on_event(ev("STEP_SUCCESS", "coordination_extracts"))
    d.on_event(ev("STEP_START"))
    for quarter in range(3):   # a partition range: each model once per quarter, counted once
        d.on_event(ev("ASSET_MATERIALIZATION", asset_key=dg.AssetKey(["marts", "indicator_results"])))
    d.on_event(ev("ASSET_CHECK_EVALUATION", passed=True))
    d.on_event(ev("ASSET_CHECK_EVALUATION", passed=False))
    d.on_event(ev("STEP_FAILURE"))
    d.on_event(ev("STEP_SKIPPED", "publish__publication"))
    lines = [re.sub(TIME, "", ln, count=1) for ln in out.getvalue().splitlines()]
    assert lines == [
        "Ingestion: coordination…",
        "✓ Ingestion: coordination: 112 files, 13,192 rows, 2 tables (00:00)",
        "Indicators, audit trail and publish models (dbt)…",
        "✗ Indicators, audit trail and publish models (dbt) FAILED: 1 table, 1 checks passed, 1 checks failed (00:00)",
        "· Publication: skipped (an earlier step failed or the gate refused)",
    ]


def test_step_labels():
    assert step_label("finess_etalab_stock") == "Ingestion: finess etalab"
    assert step_label("landing_gate") == "Landing checks"
    assert step_label("something_else") == "something_else"


def test_a_terminal_gets_the_permanent_lines_and_a_transient_live_line():
    out = io.StringIO()
    with Display(out, tty=True) as d:
        d.stage("Ingestion: dui", total=4)
        d.update(done=2, rows=10)
        d.note("a note")
        d.end_stage()
    text = out.getvalue()
    assert "a note" in text and "✓ Ingestion: dui: 2 files, 10 rows" in text
    assert "\x1b[?25l" in text and "\x1b[?25h" in text   # the cursor hidden while the line lives, then given back


def test_a_command_failing_inside_the_display_ends_its_stage_as_failed():
    out = io.StringIO()
    try:
        with Display(out, tty=False) as d:
            d.stage("Audit trail")
            raise ValueError("nothing counted")
    except ValueError:
        pass
    assert re.sub(TIME, "", out.getvalue().splitlines()[-1], count=1) == "✗ Audit trail FAILED (00:00)"


def test_the_time_left_of_an_ingestion_is_estimated_on_bytes_not_files():
    """Files differ a hundredfold in size: after the 100 small files of 200, a tenth of the bytes is done."""
    now, out = [0.0], io.StringIO()
    d = Display(out, tty=False, clock=lambda: now[0])
    d.stage("Ingestion: dui")
    now[0] = 10.0
    d.on_event(ev("ASSET_OBSERVATION", "dui_extracts", **observation(
        files_done=100, files_total=200, file="dui_dossiers_2024-12.csv", rows_loaded=1_000,
        bytes_done=100_000_000, bytes_total=1_000_000_000)))
    assert "100/200 files" in out.getvalue() and "~01:30 left" in out.getvalue()  # 10 s for 10 % of the bytes
