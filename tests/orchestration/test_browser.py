"""`make dev` in a real browser: the Dagster UI answers, shows the whole lineage (raw → staging →
intermediate → marts → publish), the indicator models upstream of ``marts/indicator_results`` and the
publication downstream of it, and the schedules and the landing sensor.

Runs `make dev` itself (on port 3000, or a free port when 3000 is taken) with its own Dagster home,
landing folder and working home under the test's temporary folder, then Debian's headless Chromium over
the DevTools protocol (``browser.py``). Skipped only when /usr/bin/chromium is absent (`make browser-deps`).

The screenshots of docs/operations.md (docs/img/*.png) come from this test: they are written there when
missing or with EPARCOURS_UPDATE_SCREENSHOTS=1, else under the test's temporary folder.
"""
import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from .browser import CHROMIUM, chromium_page, free_port

REPO = Path(__file__).resolve().parents[2]
DOCS_IMG = REPO / "docs" / "img"

pytestmark = pytest.mark.browser


def port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def asset_keys(port: int) -> list[list[str]]:
    query = json.dumps({"query": "{ assetNodes { assetKey { path } } }"}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=query,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as r:
        return [n["assetKey"]["path"] for n in json.loads(r.read())["data"]["assetNodes"]]


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory):
    """`make dev` with its own homes; yields (base URL, seconds until the UI answered with the graph)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (run `make browser-deps`): "
                    "browser test of the Dagster UI skipped")
    root = tmp_path_factory.mktemp("dev")
    (root / "landing").mkdir()
    port = 3000 if port_is_free(3000) else free_port()
    log = open(root / "make_dev.log", "w")  # noqa: SIM115 (stays open for `make dev` until teardown)
    started = time.time()
    proc = subprocess.Popen(
        ["make", "-s", "dev", f"DEV_PORT={port}", f"DEV_DAGSTER_HOME={root / 'dagster_home'}",
         f"LANDING={root / 'landing'}", f"HOME_DIR={root / 'home'}"],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        loaded = None
        while time.time() - started < 240 and proc.poll() is None:
            try:
                if ["marts", "indicator_results"] in asset_keys(port):
                    loaded = time.time() - started
                    break
            except (OSError, KeyError, ValueError):
                pass
            time.sleep(0.5)
        if loaded is None:
            log.flush()
            pytest.fail(f"`make dev` did not serve the asset graph on port {port}:\n"
                        + (root / "make_dev.log").read_text()[-3000:])
        print(f"\n`make dev`: UI answering with the asset graph after {loaded:.1f} s")
        yield f"http://127.0.0.1:{port}", loaded
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # make, dagster dev and the services it started
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    def path(name: str) -> Path:
        target = DOCS_IMG / name
        if os.environ.get("EPARCOURS_UPDATE_SCREENSHOTS") == "1" or not target.exists():
            return target
        return tmp_path_factory.mktemp("shots") / name
    return path


def test_ui_shows_the_whole_lineage(dagster_ui, shots):
    base, _ = dagster_ui
    with chromium_page() as page:
        page.goto(f"{base}/asset-groups")
        page.wait_for_text("Global asset lineage", "raw", "staging", "intermediate", "marts", "publish", "ref")
        time.sleep(3)  # the graph zooms to fit
        page.screenshot(shots("asset_graph.png"))

        # upstream of indicator_results, 6 levels: every indicator model, the window models, staging, raw
        page.goto(f"{base}/assets/marts/indicator_results?view=lineage&lineageScope=upstream&lineageDepth=6")
        page.wait_for_text("indicator_results", "ind_esms_mss", "ind_esms_dmp", "ind_ep_6_4_echange",
                           "ind_ep_declaratifs", "int_measure_dates", "stg_mss__messages", "mss_messages",
                           "dmp_documents", timeout=90)

    # nearest neighbours: the indicator models above, the publication below. A fresh browser profile and a
    # tall page for the picture (the UI remembers the zoom of the previous graph).
    with chromium_page() as page:
        page.viewport(1300, 1400)
        page.goto(f"{base}/assets/marts/indicator_results?view=lineage")
        page.wait_for_text("ind_esms_dui_pp", "ind_ep_6_4_equipe", "publication", timeout=90)
        time.sleep(5)  # the graph zooms to fit
        page.screenshot(shots("indicator_results_lineage.png"))


def test_ui_shows_schedules_sensor_and_jobs(dagster_ui, shots):
    base, _ = dagster_ui
    with chromium_page() as page:
        page.goto(f"{base}/automation")
        page.wait_for_text("landing_sensor", "quarter_schedule", "publication_schedule")
        page.screenshot(shots("automation.png"))
        page.goto(f"{base}/jobs")
        page.wait_for_text("landing_job", "quarter_job", "publish_job", "ingest_job")


def test_ui_asset_page_of_indicator_results(dagster_ui, shots):
    base, _ = dagster_ui
    with chromium_page() as page:
        # under load the checks tab can come up before its list: one reload, then the assertion stands
        url = f"{base}/assets/marts/indicator_results?view=checks"
        page.goto(url)
        try:
            page.wait_for_text("gx_indicator_results", timeout=60)
        except Exception:
            page.goto(url)
            page.wait_for_text("gx_indicator_results", timeout=120)
        page.screenshot(shots("indicator_results_checks.png"))
